package io.churnagent.it.programs;

import java.io.IOException;

/** Connect and close through libc over JNI ({@code src/test/c/native_sockets.c}): invisible to the agent's hooks. */
final class NativeSockets {

    private NativeSockets() {
    }

    /** Loads the library built from {@code native_sockets.c}. */
    static void load(String path) {
        System.load(path);
    }

    static int connect(int port) throws IOException {
        int fd = connect0(port);
        if (fd < 0) {
            throw new IOException("native connect to 127.0.0.1:" + port + " failed: errno " + (-fd));
        }
        return fd;
    }

    static void close(int fd) throws IOException {
        int r = close0(fd);
        if (r < 0) {
            throw new IOException("native close failed: errno " + (-r));
        }
    }

    private static native int connect0(int port);

    private static native int close0(int fd);
}
