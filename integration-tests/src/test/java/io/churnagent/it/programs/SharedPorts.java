package io.churnagent.it.programs;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Two processes churning to one destination: this program serves a backend and churns to it at
 * {@code ownPerSecond}; with {@code otherPerSecond > 0} it also starts a second JVM (this class in
 * {@code churn} mode, same java and classpath, no agent) that churns to the same backend. Clients
 * close first, so both processes' TIME_WAIT is towards the backend and on this host.
 *
 * <p>Arguments: {@code ownPerSecond otherPerSecond seconds}, or {@code churn port perSecond seconds};
 * prints {@code port backend <port>}, {@code other <pid>} and {@code done <own connections>}.
 */
public final class SharedPorts {

    private SharedPorts() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("churn")) {
            churn(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int own = Integer.parseInt(args[0]);
        int other = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        AgentReady.await();
        int port = DrainingBackend.start();
        System.out.println("port backend " + port);
        Process child = null;
        if (other > 0) {
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                    SharedPorts.class.getName(), "churn", String.valueOf(port), String.valueOf(other),
                    String.valueOf(seconds + 2)));
            child = new ProcessBuilder(command).inheritIO().start();
            System.out.println("other " + child.pid());
        }
        churn(port, own, seconds);
        if (child != null) {
            child.destroy();
            child.waitFor();
        }
    }

    private static void churn(int port, int perSecond, int seconds) throws Exception {
        long start = System.nanoTime();
        long total = (long) perSecond * seconds;
        for (long i = 0; i < total; i++) {
            SteadyRate.awaitRound(start, i, perSecond);
            new Socket(InetAddress.getLoopbackAddress(), port).close();
        }
        System.out.println("done " + total);
    }
}
