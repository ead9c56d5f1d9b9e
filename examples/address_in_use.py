# OSError: [Errno 98] Address already in use, 그리고 SO_REUSEADDR (and SO_REUSEADDR)
# 실행 / Run:  sockviz run --no-server -- python3 examples/address_in_use.py
# 먼저 close한 쪽(server)이 TIME_WAIT에 남아 port를 잡고 있다 / the side that closes first stays in TIME_WAIT
# SO_REUSEADDR는 두 socket 모두에 있어야 한다 (Linux) / both sockets need SO_REUSEADDR on Linux
import socket

def serve_once(reuse):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', 7))
    ls.listen(1)
    c = socket.create_connection(('127.0.0.1', 7))
    s, _ = ls.accept()
    s.close()                      # server가 먼저 close → server 쪽 TIME_WAIT / server closes first
    c.close()
    ls.close()

serve_once(reuse=True)             # TIME_WAIT를 남긴다 / leaves a TIME_WAIT on port 7
try:
    serve_once(reuse=False)        # 같은 port에 다시 bind / bind the same port again
except OSError as e:
    print('without SO_REUSEADDR:', e)
serve_once(reuse=True)             # SO_REUSEADDR: TIME_WAIT가 있어도 bind된다 / binds despite TIME_WAIT
print('with SO_REUSEADDR: bound again')
