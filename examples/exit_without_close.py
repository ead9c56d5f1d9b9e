# close() 없이 끝나는 프로그램 (A program that exits without closing its socket.)
# 실행 / Run:  sockviz run -- python3 examples/exit_without_close.py
# 보통의 종료에서는 Python이 socket을 정리(close)한다. os._exit()나 crash에서는 kernel이
# 프로그램의 fd를 닫고, 그때 FIN을 보낸다. / On a normal exit Python closes the socket itself;
# after os._exit() or a crash the kernel closes the program's descriptors and sends the FIN.
import os
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 7))
s.send('Hello, 대한민국!'.encode('utf-8'))
print(s.recv(1024).decode('utf-8'), flush=True)
os._exit(0)                        # close()도, Python의 정리도 없다 / no close(), no clean-up
