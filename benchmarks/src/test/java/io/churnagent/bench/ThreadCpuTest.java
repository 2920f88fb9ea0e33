package io.churnagent.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadCpuTest {

    @Test
    void readsUserAndSystemTimePastANameWithSpacesAndParentheses() {
        // fields 14 and 15 (utime 1234, stime 567) of a real-looking line; the name holds ") ("
        String stat = "4242 (C2 Compi) (x) S 1 4242 4242 0 -1 4194368 1059 0 0 0 1234 567 0 0 20 0 30 0 "
                + "123456 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals(1234 + 567, ThreadCpu.ticksOf(stat));
    }

    @Test
    void aLineWithoutTheFieldsIsNotRead() {
        assertEquals(-1, ThreadCpu.ticksOf("4242 no name here"));
        assertEquals(-1, ThreadCpu.ticksOf("4242 (cut) S 1 2 3"));
    }

    @Test
    void sortsThreadsByKind() {
        assertEquals(ThreadCpu.AGENT, ThreadCpu.kind("churn-agent-rep"));
        assertEquals(ThreadCpu.JIT, ThreadCpu.kind("C2 CompilerThre"));
        assertEquals(ThreadCpu.JIT, ThreadCpu.kind("C1 CompilerThre"));
        assertEquals(ThreadCpu.GC, ThreadCpu.kind("GC Thread#0"));
        assertEquals(ThreadCpu.GC, ThreadCpu.kind("G1 Refine#0"));
        assertEquals(ThreadCpu.REST, ThreadCpu.kind("turn-worker-0"));
        assertEquals(ThreadCpu.REST, ThreadCpu.kind("VM Thread"));
    }

    @Test
    void theLineFormatRoundTrips() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        ticks.put(ThreadCpu.REST, 1_000L);
        ticks.put(ThreadCpu.JIT, 7L);
        assertEquals(ticks, ThreadCpu.parse(ThreadCpu.format(ticks)));
        assertTrue(ThreadCpu.parse("").isEmpty());
    }

    @Test
    void thisJvmsOwnThreadsAreRead() {
        Map<String, Long> ticks = ThreadCpu.read();
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(ticks.containsKey(ThreadCpu.REST), ticks::toString);
            assertTrue(ticks.values().stream().allMatch(t -> t >= 0), ticks::toString);
            // what the worker prints has the same kinds (the JVM's own threads live on)
            Map<String, Long> printed = ThreadCpu.parse(ThreadCpu.readFormatted());
            assertTrue(printed.keySet().containsAll(ticks.keySet()), printed::toString);
        }
    }
}
