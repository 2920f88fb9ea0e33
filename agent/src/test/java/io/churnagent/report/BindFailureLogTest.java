package io.churnagent.report;

import io.churnagent.churn.BindFailures;
import io.churnagent.kernel.PortOwnersTestAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.helpers.NOPLogger;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BindFailureLogTest {

    private final long[] now = {0};
    private final BindFailures failures = new BindFailures();

    private BindFailureLog log(Path proc) {
        return new BindFailureLog(failures, proc, NOPLogger.NOP_LOGGER, 60_000_000_000L, () -> now[0]);
    }

    private static String text(io.churnagent.log.LogEvent event) {
        return event == null ? null : event.toString();
    }

    private BindFailures.Failure failure(String ip, int port, String message, boolean reuse) throws Exception {
        failures.record(new InetSocketAddress(InetAddress.getByName(ip), port), new BindException(message), reuse);
        return failures.drain().get(0);
    }

    @Test
    void aListenerIsNamedWithItsProcess(@TempDir Path tmp) throws Exception {
        BindFailureLog log = log(PortOwnersTestAccess.fakeProc(tmp));
        String text = text(log.diagnose(failure("0.0.0.0", 8080, "Address already in use", true)));
        assertTrue(text.startsWith("event=bind_failure address=0.0.0.0:8080 error=\"Address already in use\""
                + " reuse_address=true listeners=1 time_wait=1 holder_pid=77 holder_uid=1000"
                + " holder_command=\"java -jar server.jar\""), text);
        assertTrue(text.contains("A server listens on 127.0.0.1:8080 (uid 1000): process 77, java -jar server.jar."), text);
    }

    @Test
    void aPortNoSocketHoldsSaysSo(@TempDir Path tmp) throws Exception {
        BindFailureLog log = log(PortOwnersTestAccess.fakeProc(tmp));
        // 0x9C40 = 40000 is only a remote port in the fake tables: nothing here is bound to it
        String text = text(log.diagnose(failure("127.0.0.1", 40000, "Address already in use", false)));
        assertTrue(text.contains("reuse_address=false listeners=0 time_wait=0"), text);
        assertTrue(text.contains("No TCP socket in this network namespace holds port 40000 now"), text);
    }

    @Test
    void timeWaitOnlyAndTheMissingReuseAddrAreSaid(@TempDir Path tmp) throws Exception {
        Path proc = tmp.resolve("p");
        java.nio.file.Files.createDirectories(proc.resolve("net"));
        java.nio.file.Files.write(proc.resolve("net/tcp"), List.of("header",
                "   0: 0100007F:1F90 0100007F:9C40 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   1: 0100007F:1F90 0100007F:9C41 09 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0"));
        BindFailureLog log = log(proc);
        String text = text(log.diagnose(failure("127.0.0.1", 8080, "Address already in use", false)));
        assertTrue(text.contains("listeners=0 time_wait=1"), text);
        assertTrue(text.contains("only leftovers of earlier connections hold it: 1 in TIME_WAIT, 1 in LAST_ACK."), text);
        assertTrue(text.contains("This socket did not set SO_REUSEADDR, which is the fix"), text);
        now[0] += 61_000_000_000L;
        String withReuse = text(log.diagnose(failure("127.0.0.1", 8080, "Address already in use", true)));
        assertTrue(withReuse.contains("This socket set SO_REUSEADDR"), withReuse);
    }

    @Test
    void anAddressThatIsNotLocalListsTheLocalOnes(@TempDir Path tmp) throws Exception {
        String text = text(log(tmp).diagnose(failure("203.0.113.7", 9000, "Cannot assign requested address", true)));
        assertTrue(text.startsWith("event=bind_failure address=203.0.113.7:9000 error=\"Cannot assign requested address\""
                + " local_addresses="), text);
        assertTrue(text.contains("127.0.0.1(lo)"), text);
        assertTrue(text.contains("203.0.113.7 is not an address of this host"), text);
    }

    @Test
    void oneMessagePerAddressPerIntervalAndTheRepeatsAreCounted(@TempDir Path tmp) throws Exception {
        BindFailureLog log = log(tmp);
        assertTrue(text(log.diagnose(failure("203.0.113.7", 9000, "Cannot assign requested address", true))) != null);
        now[0] += 1_000_000_000L;
        assertNull(text(log.diagnose(failure("203.0.113.7", 9000, "Cannot assign requested address", true))));
        assertNull(text(log.diagnose(failure("203.0.113.7", 9000, "Cannot assign requested address", true))));
        assertTrue(text(log.diagnose(failure("203.0.113.8", 9000, "Cannot assign requested address", true))) != null);
        now[0] += 60_000_000_000L;
        String again = text(log.diagnose(failure("203.0.113.7", 9000, "Cannot assign requested address", true)));
        assertTrue(again.contains("repeats_not_logged=2"), again);
        assertNull(text(log.diagnose(failure("203.0.113.9", 9000, "Permission denied", true))), "other bind errors: no diagnosis");
    }

    @Test
    void theHandOffIsBoundedAndKeepsOnlyBindExceptions() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        failures.record(a, new java.net.SocketException("Socket is closed"), true);
        for (int i = 0; i < BindFailures.CAPACITY + 5; i++) {
            failures.record(a, new BindException("Address already in use"), true);
        }
        assertEquals(BindFailures.CAPACITY, failures.drain().size());
        assertEquals(5, failures.dropped());
        assertTrue(failures.drain().isEmpty());
    }
}
