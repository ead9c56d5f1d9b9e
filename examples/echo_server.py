# 에코 서버: 받은 것을 그대로 돌려준다 (An echo server: sends back what it receives.)
# 실행 / Run:  sockviz run --no-server -- python3 examples/echo_server.py ::: python3 examples/echo_client.py
#             sockviz run --client -- python3 examples/echo_server.py
import socket

listen_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listen_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT 중에도 bind / bind despite TIME_WAIT
listen_sock.bind(('', 7))          # '' = 모든 interface / every interface
listen_sock.listen(5)              # connection queue / accept queue of 5
s, addr = listen_sock.accept()     # 완료된 connection을 가져온다 / take a completed connection
print('connected from', addr)
while True:
    data = s.recv(1024)
    if not data:                   # b'' = 상대가 FIN을 보냈다 / the peer sent FIN
        break
    s.sendall(data)                # 받은 만큼 모두 돌려준다 / echo all of it
s.close()
listen_sock.close()                # 강의용: 한 client만 받고 끝낸다 / one client, then exit
