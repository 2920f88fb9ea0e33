package io.churnagent;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attach command InProcessAgent runs: its output and status are read, and a hung one is cut off. */
class InProcessAgentTest {

    @Test
    void aCommandThatHangsWithItsOutputOpenIsKilledAtTheTimeout() {
        long start = System.nanoTime();
        // prints, then keeps stdout open and never exits: a read to the end of its output would block
        InProcessAgent.Ran ran = InProcessAgent.run(List.of("sh", "-c", "echo started; exec sleep 60"), 1_000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 10_000, "cut off after about 1 s, not 60: " + millis + " ms");
        assertTrue(ran.problem != null && ran.problem.startsWith("the attach command did not finish within 1 s"),
                String.valueOf(ran.problem));
    }

    @Test
    void aCommandThatEndsGivesItsStatusAndOutput() {
        InProcessAgent.Ran ran = InProcessAgent.run(List.of("sh", "-c", "echo one; echo two >&2; exit 3"), 10_000);
        assertNull(ran.problem);
        assertEquals(3, ran.exit);
        assertEquals("one\ntwo\n", ran.output);
    }
}
