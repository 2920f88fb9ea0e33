package io.churnagent.it.programs;

import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayDeque;

/**
 * Churns connections to a backend in the same program at a steady rate, either through JNI
 * ({@code native}: libc's connect and close, which no hook sees) or through {@code java.net.Socket}
 * ({@code java}: the hooks see every one). Keeps the last {@link #KEPT_OPEN} connections open, so
 * the kernel always shows ESTABLISHED ones, and the first {@link #PINNED} open until the end, so that
 * a search for their holder finds them however late it runs on a busy machine (the others live about
 * 100 ms at 200/s). This side closes first.
 *
 * <p>Arguments: {@code mode perSecond seconds [library]}; churns for {@code seconds}, or until a line
 * {@code stop} on stdin; prints {@code port backend <port>}, {@code pid <pid>} and
 * {@code done <connections>}.
 */
public final class UnseenChurn {

    static final int KEPT_OPEN = 20;
    static final int PINNED = 5;

    private static volatile boolean stopped;

    private UnseenChurn() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int perSecond = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        if (mode.equals("native")) {
            NativeSockets.load(args[3]);
        }
        Thread stdin = new Thread(() -> {
            try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("stop")) {
                        stopped = true;
                        return;
                    }
                }
            } catch (java.io.IOException e) {
                // no more commands
            }
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
        AgentReady.await();
        int port = DrainingBackend.start();
        System.out.println("port backend " + port);
        System.out.println("pid " + ProcessHandle.current().pid());
        ArrayDeque<Object> pinned = new ArrayDeque<>();
        ArrayDeque<Object> open = new ArrayDeque<>();
        long start = System.nanoTime();
        long total = (long) perSecond * seconds;
        long i = 0;
        for (; i < total && !stopped; i++) {
            SteadyRate.awaitRound(start, i, perSecond);
            Object connection = mode.equals("native") ? (Object) NativeSockets.connect(port) : new Socket(InetAddress.getLoopbackAddress(), port);
            (pinned.size() < PINNED ? pinned : open).addLast(connection);
            if (open.size() > KEPT_OPEN) {
                close(open.removeFirst());
            }
        }
        open.addAll(pinned);
        while (!open.isEmpty()) {
            close(open.removeFirst());
        }
        System.out.println("done " + i);
        BridgeFaults.print();
    }

    private static void close(Object connection) throws Exception {
        if (connection instanceof Integer) {
            NativeSockets.close((Integer) connection);
        } else {
            ((Socket) connection).close();
        }
    }
}
