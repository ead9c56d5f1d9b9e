# 에코 클라이언트: 강의의 첫 번째 소켓 프로그램 (The lecture's first socket program: an echo client.)
# 실행 / Run:  sockviz run -- python3 examples/echo_client.py
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # TCP 소켓 생성 / create a TCP socket
s.connect(('127.0.0.1', 7))        # 3-way handshake: connect()는 RTT 후에 return / returns after one RTT
msg = 'Hello, 대한민국!'
s.send(msg.encode('utf-8'))        # UTF-8로 encoding해서 보낸다 / send bytes, not str
reply = s.recv(1024)               # 최대 1024 bytes를 받는다 / at most 1024 bytes
print(reply.decode('utf-8'))       # 받은 메시지는 UNICODE로 decoding / decode what came back
s.close()                          # FIN을 보낸다 / sends FIN
