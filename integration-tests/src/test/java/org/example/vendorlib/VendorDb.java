package org.example.vendorlib;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A stand-in for a database driver the agent does not list: it connects a few frames deep, as
 * Jedis's {@code DefaultJedisSocketFactory.connectToFirstSuccessfulHost} does, so by the list alone
 * its frame would be the call site.
 */
public final class VendorDb implements AutoCloseable {

    private final Socket socket;

    private VendorDb(Socket socket) {
        this.socket = socket;
    }

    public static VendorDb open(String host, int port) throws IOException {
        return new VendorDb(connectToFirstHost(host, port));
    }

    private static Socket connectToFirstHost(String host, int port) throws IOException {
        return createSocket(host, port);
    }

    private static Socket createSocket(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 2_000);
        return s;
    }

    public int ping() throws IOException {
        socket.getOutputStream().write('p');
        return socket.getInputStream().read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
