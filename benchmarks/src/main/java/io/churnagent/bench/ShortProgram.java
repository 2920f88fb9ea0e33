package io.churnagent.bench;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A short program's first second, for the start-up row: {@code WARMUP} loopback connect+close
 * cycles, then {@code CYCLES} more, over eight listeners on 127.0.0.1-8 (as {@link Workload.ConnectClose}),
 * then it prints {@code done CPU_TICKS} (user + system time of the whole process so far, every
 * thread, the agent's too, from {@code /proc/self/stat}) and exits. The driver times it from launch
 * to that line: the window in which test JVMs, batch jobs and freshly scaled pods live, and in which
 * the agent installs while the program already connects.
 *
 * <pre>java -cp benchmarks.jar io.churnagent.bench.ShortProgram WARMUP CYCLES</pre>
 */
public final class ShortProgram {

    private ShortProgram() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int cycles = Integer.parseInt(args[1]);
        int sink = 0;
        try (LoopbackServers servers = new LoopbackServers(8)) {
            InetSocketAddress[] addresses = servers.addresses();
            for (int i = 0; i < warmup + cycles; i++) {
                sink += Workload.ConnectClose.connectClose(addresses[i & 7]);
            }
        }
        System.out.println("done " + processTicks() + " " + (sink & 1));
        System.out.flush();
        System.exit(0);
    }

    /** utime + stime of this process (fields 14 and 15 of /proc/self/stat), in clock ticks; -1 off Linux. */
    static long processTicks() throws IOException {
        byte[] b = new byte[1024];
        int n;
        try (FileInputStream in = new FileInputStream("/proc/self/stat")) {
            n = in.read(b);
        } catch (IOException e) {
            return -1;
        }
        int i = n - 1;
        while (i > 0 && b[i] != ')') {
            i--;
        }
        int field = 2; // the name is field 2; after it come fields 3, 4, ...
        long utime = 0;
        long value = 0;
        for (i = i + 1; i < n; i++) {
            if (b[i] == ' ') {
                if (field == 14) {
                    utime = value;
                } else if (field == 15) {
                    return utime + value;
                }
                field++;
                value = 0;
            } else if (b[i] >= '0' && b[i] <= '9') {
                value = value * 10 + (b[i] - '0');
            }
        }
        return -1;
    }
}
