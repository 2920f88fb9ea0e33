package io.churnagent.report;

import io.churnagent.log.Logfmt;
import io.churnagent.churn.StackSource;
import io.churnagent.kernel.TcpSocketTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirstUseTest {

    private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    /**
     * After the rehearsal, the paths it stands for load no class: a capture with and without a
     * handler, a socket-table read with a deadline, a decimal. (Other tests in this JVM may have loaded
     * these classes first; run alone without the rehearsal, the same paths load dozens. LateClassLoadsIT
     * checks the same in a fresh JVM with the real agent.)
     */
    @Test
    void afterTheRehearsalTheLatePathsLoadNoClass(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.write(proc.resolve("net/tcp"), List.of(TCP_HEADER,
                "   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000",
                "   1: 0100007F:9C42 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 123 1 0000000000000000"));
        FirstUse.rehearse(proc);
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long before = classes.getTotalLoadedClassCount();
        StackSource.WALKER.trimmed(256);
        StackSource.WALKER.trimmed(256, "some.Handler", "handle");
        TcpSocketTable table = TcpSocketTable.readWithin(proc, 1_000_000_000L);
        String decimal = Logfmt.decimal(12.5, 1);
        long loaded = classes.getTotalLoadedClassCount() - before;
        assertTrue(table.available());
        assertEquals(1, table.timeWait("127.0.0.1:8080"));
        assertEquals("12.5", decimal);
        assertEquals(0, loaded, "classes loaded by the paths after the rehearsal");
    }
}
