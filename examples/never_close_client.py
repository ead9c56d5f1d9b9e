# close()를 하지 않는 client (A client that never calls close().)
# 실행 / Run:  sockviz run -- python3 examples/never_close_client.py
# server의 recv는 block된 채 기다린다; 프로그램이 끝나면 kernel이 FIN을 보낸다
# The server's recv stays blocked; when the program exits, the kernel sends the FIN.
import socket
import time

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 7))
s.send('Hello, 대한민국!'.encode('utf-8'))
print(s.recv(1024).decode('utf-8'))
time.sleep(1)                      # s.close()가 없다 / no s.close()
