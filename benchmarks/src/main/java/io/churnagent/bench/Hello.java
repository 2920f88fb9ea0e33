package io.churnagent.bench;

/**
 * The start-up probe: prints the wall-clock millisecond at which {@code main} began, then exits; the
 * driver compares it with when it started the JVM. With {@code wait} it stays up for an attach; with
 * {@code watched} it also prints when the agent's background start-up finished (the agent sets
 * {@code io.churnagent.starting} until then).
 */
public final class Hello {

    public static void main(String[] args) throws Exception {
        System.out.println("main at " + System.currentTimeMillis());
        System.out.flush();
        if (args.length > 0 && args[0].equals("watched")) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.getProperty("io.churnagent.starting") != null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            System.out.println("watched at " + System.currentTimeMillis());
            System.out.flush();
        }
        if (args.length > 0 && args[0].equals("wait")) {
            Thread.sleep(Long.parseLong(args.length > 1 ? args[1] : "60000"));
        }
    }
}
