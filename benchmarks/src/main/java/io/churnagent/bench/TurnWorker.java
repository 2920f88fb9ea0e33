package io.churnagent.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A benchmark JVM that works in turns, driven by {@link AlternatingRun} over its standard streams. It
 * prints {@code ready}; then, for each {@code run MILLIS} it reads, its threads run the workload for
 * that long and it prints {@code turn OPS NANOS} (operations done, and the nanoseconds from the
 * threads' start to the last one's stop); {@code cpu} prints the CPU time its threads have used, by
 * kind ({@link ThreadCpu}); {@code quit} or the end of input ends it. Between turns the
 * driver stops the whole process (SIGSTOP), so nothing of it, the agent's threads included, runs
 * during the other JVM's turn.
 *
 * <pre>java -cp benchmarks.jar io.churnagent.bench.TurnWorker connect-close|keep-alive THREADS</pre>
 */
public final class TurnWorker {

    /** A turn whose threads have not all stopped this long after its end has a stuck operation. */
    private static final long STALL_SECONDS = 60;

    private final Workload workload;
    private final int threads;
    private final CyclicBarrier start;
    private final CyclicBarrier end;
    private final long[] counts;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running;
    private volatile int results;

    private TurnWorker(Workload workload, int threads) {
        this.workload = workload;
        this.threads = threads;
        this.start = new CyclicBarrier(threads + 1);
        this.end = new CyclicBarrier(threads + 1);
        this.counts = new long[threads * 16]; // one cache line apart: threads write only at a turn's end
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TurnWorker connect-close|keep-alive THREADS");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[1]);
        try (Workload workload = Workload.named(args[0])) {
            new TurnWorker(workload, threads).serve();
        }
        System.exit(0);
    }

    private void serve() throws Exception {
        for (int i = 0; i < threads; i++) {
            int index = i;
            Workload.Operation operation = workload.forThread();
            Thread t = new Thread(() -> work(index, operation), "turn-worker-" + i);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; ; ) {
            line = in.readLine();
            if (line == null || line.equals("quit")) {
                System.out.println("bye " + (line == null ? "(end of input)" : line));
                System.out.flush();
                break;
            }
            if (line.equals("cpu")) {
                System.out.println("cpu " + ThreadCpu.readFormatted());
                System.out.flush();
                continue;
            }
            if (!line.startsWith("run ")) {
                fail("unknown command '" + line + "'");
            }
            long millis = Long.parseLong(line.substring(4).trim());
            running = true;
            long began = System.nanoTime();
            start.await(STALL_SECONDS, TimeUnit.SECONDS);
            Thread.sleep(millis);
            running = false;
            try {
                end.await(STALL_SECONDS + millis / 1000, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("a thread did not finish its last operation within " + STALL_SECONDS + " s");
            }
            long nanos = System.nanoTime() - began;
            Throwable t = failure.get();
            if (t != null) {
                t.printStackTrace();
                fail("an operation failed: " + t);
            }
            long ops = 0;
            for (int i = 0; i < threads; i++) {
                ops += counts[i * 16];
            }
            System.out.println("turn " + ops + " " + nanos);
            System.out.flush();
        }
    }

    private void work(int index, Workload.Operation operation) {
        int sink = 0;
        try {
            while (true) {
                start.await();
                long done = 0;
                while (running) {
                    try {
                        sink += operation.run();
                        done++;
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        running = false;
                    }
                }
                counts[index * 16] = done;
                results = sink; // the operations' results go somewhere the JIT cannot see through
                end.await();
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private static void fail(String why) {
        System.out.println("error " + why);
        System.out.flush();
        System.exit(1);
    }
}
