# 실수: listen()을 잊은 서버 (A mistake: a server that forgot listen().)
# 실행 / Run:  sockviz run --no-server -- python3 examples/forgot_listen.py
# accept()는 EINVAL: OSError: [Errno 22] Invalid argument
import socket

listen_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listen_sock.bind(('', 7))
# listen_sock.listen(5)            # 이 줄이 빠졌다 / this line is missing
s, addr = listen_sock.accept()
