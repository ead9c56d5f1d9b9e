# send는 일부만 보낼 수 있다; sendall은 전부 보낸다 (send may take part; sendall takes it all.)
# 실행 / Run:  sockviz run -- python3 examples/sendall_vs_send.py
import socket

data = b'x' * 100000
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # 작은 send buffer / a small send buffer
s.connect(('127.0.0.1', 7))
s.settimeout(5)                    # timeout socket: 내부적으로 non-blocking / non-blocking inside
n = s.send(data)                   # buffer에 들어간 만큼만 / only what fits in the buffer
print('send() took', n, 'of', len(data), 'bytes')
s.sendall(data[n:])                # 나머지를 모두 / the rest, all of it (a loop of sends)
s.shutdown(socket.SHUT_WR)
got = 0
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    got += len(chunk)
print('echoed back', got, 'bytes')
s.close()
