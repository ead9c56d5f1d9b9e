# recv는 메시지 경계를 모른다: b''까지 반복 (recv knows no message boundaries: loop until b''.)
# 실행 / Run:  sockviz run -- python3 examples/recv_loop.py
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 7))
s.sendall('Hello, 대한민국!'.encode('utf-8'))
s.shutdown(socket.SHUT_WR)
parts = []
while True:
    data = s.recv(8)               # 최대 8 bytes씩 / at most 8 bytes at a time
    if data == b'':                # 상대가 닫았다 / the peer closed
        break
    parts.append(data)
print(len(parts), 'recv calls:', parts)
print(b''.join(parts).decode('utf-8'))
s.close()
