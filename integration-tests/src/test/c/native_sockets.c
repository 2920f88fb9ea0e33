/*
 * Sockets the agent cannot see: connect and close through libc, called over JNI, never through
 * java.net.Socket or SocketChannel (as io_uring transports and JNI socket libraries do). Built by
 * KernelFallbackIT with gcc for the programs' NativeSockets class.
 */
#include <jni.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Connects to 127.0.0.1:port; returns the file descriptor, or -errno. */
JNIEXPORT jint JNICALL Java_io_churnagent_it_programs_NativeSockets_connect0(JNIEnv *env, jclass type, jint port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -errno;
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short) port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &address, sizeof address) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* Closes fd (this side closes first: the TIME_WAIT is here); returns 0 or -errno. */
JNIEXPORT jint JNICALL Java_io_churnagent_it_programs_NativeSockets_close0(JNIEnv *env, jclass type, jint fd) {
    return close(fd) == 0 ? 0 : -errno;
}
