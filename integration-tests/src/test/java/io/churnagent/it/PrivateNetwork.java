package io.churnagent.it;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one way a test runs a program in a private network namespace of its own ({@code unshare -rn},
 * no privileges needed): loopback up, then this namespace's own kernel settings (port range,
 * {@code tcp_tw_reuse}), then the command. Its socket table holds only its own sockets: whatever
 * else the machine does (a test beside it, a benchmark's 100,000 TIME_WAIT sockets) neither adds to
 * its figures nor makes its agent warn (the kernel fallback warns about another process's churn on
 * the same host, rightly, and a test that expects no warning would fail on it).
 */
public final class PrivateNetwork {

    private final List<String> settings = new ArrayList<>();

    /** Loopback up, the kernel's defaults for a new namespace otherwise. */
    public static PrivateNetwork loopbackOnly() {
        return new PrivateNetwork();
    }

    /** {@code ip_local_port_range} of the namespace: the ports a connect may take from. */
    public PrivateNetwork portRange(int first, int last) {
        settings.add("echo '" + first + " " + last + "' > /proc/sys/net/ipv4/ip_local_port_range");
        return this;
    }

    /** {@code tcp_tw_reuse} of the namespace (0 off: a TIME_WAIT port is never taken over, as towards a remote host). */
    public PrivateNetwork timeWaitReuse(int value) {
        settings.add("echo " + value + " > /proc/sys/net/ipv4/tcp_tw_reuse");
        return this;
    }

    /** The shell command that sets the namespace up: loopback, then each setting. */
    public String setup() {
        StringBuilder s = new StringBuilder("PATH=$PATH:/usr/sbin:/sbin; ip link set lo up");
        for (String setting : settings) {
            s.append(" && ").append(setting);
        }
        return s.toString();
    }

    /**
     * The command line that sets the namespace up and then runs {@code script} (a shell script whose
     * {@code "$@"} is the rest of the command line); exit status 99 if the set-up failed.
     */
    public List<String> wrapper(String script) {
        return List.of("unshare", "-rn", "sh", "-c", setup() + " || exit 99; " + script, "sh");
    }

    /** The command line that sets the namespace up and then executes the rest of the command line. */
    public List<String> wrapper() {
        return wrapper("exec \"$@\"");
    }

    /** Fails, saying what is missing, if this machine cannot make such a namespace. */
    public void assertAvailable() throws Exception {
        List<String> command = new ArrayList<>(wrapper());
        command.add("true");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "this test needs unprivileged user and network namespaces "
                + "(unshare -rn, util-linux and iproute2); they failed: " + out);
    }
}
