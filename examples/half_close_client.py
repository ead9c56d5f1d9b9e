# Half close: shutdown(SHUT_WR) 후에도 recv는 된다 (After shutdown(SHUT_WR) recv still works.)
# 실행 / Run:  sockviz run -- python3 examples/half_close_client.py
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 7))
s.sendall('Hello, 대한민국!'.encode('utf-8'))
s.shutdown(socket.SHUT_WR)         # FIN을 보낸다; 더 보낼 것이 없다 / FIN: nothing more to send
reply = b''
while True:
    data = s.recv(1024)            # 상대의 FIN이 올 때까지 받는다 / read until the peer's FIN
    if not data:
        break
    reply += data
print(reply.decode('utf-8'))
s.close()
