package io.churnagent.it.programs;

/**
 * Lets a test program wait until the agent watches its connections: with {@code -javaagent} the agent
 * installs in the background by default and sets {@code io.churnagent.starting} until it is done
 * (connections opened before are not seen, which exact counts cannot have). Without the agent, or
 * with {@code startup=wait}, the property is never there and this returns at once.
 */
public final class AgentReady {

    private AgentReady() {
    }

    /** Waits while the agent is starting, at most 60 s (then the program goes on and the test says what it saw). */
    public static void await() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.getProperty("io.churnagent.starting") != null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
