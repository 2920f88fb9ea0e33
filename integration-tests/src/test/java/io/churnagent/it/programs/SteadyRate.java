package io.churnagent.it.programs;

/** Paces a loop at a steady rate: its {@code i}-th round is due {@code i / perSecond} seconds after its start. */
final class SteadyRate {

    private SteadyRate() {
    }

    /** Sleeps until round {@code i} of a loop that started at {@code start} ({@link System#nanoTime()}) is due. */
    static void awaitRound(long start, long i, int perSecond) throws InterruptedException {
        long wait = start + i * 1_000_000_000L / perSecond - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
