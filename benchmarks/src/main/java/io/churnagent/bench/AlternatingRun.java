package io.churnagent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two {@link TurnWorker} JVMs, one without the agent and one with it, alive side by side and run in
 * turns: while one works, the other is stopped (SIGSTOP), so each has the machine to itself and the
 * two see the same machine, turn by turn. Forks run one after another differed by 10-15 % on this
 * kind of machine, its speed drifting within a run; short turns (100-250 ms) in the order
 * plain-agent, agent-plain, plain-agent, ... (each pair of turns is compared, and the order flips so
 * that a steady drift favours neither side) leave the drift out of the ratio. The noise within a
 * second stays: only many pairs, and new JVMs every round, narrow it ({@link RatioEstimate}).
 *
 * <p>Stopping the whole process is what keeps the comparison honest: the agent's own threads (its
 * reporter, its start-up) run only in the agent JVM's turns, and take their CPU from its workload
 * as they would in production. Work it schedules by the wall clock runs at up to twice its rate per
 * second of running (the reporter's fixed-rate tick catches up after a stop; the kernel-table reads
 * are budgeted against wall time): if anything, the agent's side is charged more background work
 * than it would do. What stopping cannot hold still is the kernel: TIME_WAIT sockets expire by the
 * wall clock.
 */
final class AlternatingRun implements AutoCloseable {

    /**
     * The shell line a worker's command starts with: it runs its arguments with SIGHUP ignored (an
     * ignored signal stays ignored through exec, and the JVM then installs no handler for it). A driver
     * whose parent has gone (run in the background of a shell that exited) is in an orphaned process
     * group, and the kernel sends SIGHUP to such a group whenever one of its processes exits while
     * another is stopped: each {@code kill} this class runs while one worker is stopped. The worker
     * then shut down in the middle of a run (exit code 129).
     */
    static final String NO_HANGUP = "trap '' HUP; exec \"$@\"";

    /** One turn: operations done in so many nanoseconds. */
    record Turn(long ops, long nanos) {
        double perSecond() {
            return ops * 1e9 / nanos;
        }
    }

    /** The turns of both JVMs, pair by pair: {@code plain[k]} and {@code agent[k]} ran back to back. */
    record Turns(List<Turn> plain, List<Turn> agent) {
        /** agent / plain throughput of pair k. */
        double ratio(int k) {
            return agent.get(k).perSecond() / plain.get(k).perSecond();
        }

        /** The ratios of pairs {@code from} (inclusive) to {@code to} (exclusive). */
        double[] ratios(int from, int to) {
            double[] r = new double[to - from];
            for (int k = from; k < to; k++) {
                r[k - from] = ratio(k);
            }
            return r;
        }

        /** The median throughput of the plain JVM's turns in that range. */
        double medianPlain(int from, int to) {
            Spread s = new Spread();
            for (int k = from; k < to; k++) {
                s.add(plain.get(k).perSecond());
            }
            return s.median();
        }
    }

    private final Side plain;
    private final Side agent;
    /**
     * Kills both JVMs if the driver is told to end (Ctrl-C, SIGTERM) during a run: a stopped JVM would
     * otherwise stay stopped, holding its memory, after the driver has gone.
     */
    private final Thread killOnExit;

    /**
     * Starts both JVMs (each command runs a {@link TurnWorker}) and waits until both are ready; both are
     * stopped when this returns.
     */
    AlternatingRun(List<String> plainCommand, List<String> agentCommand) throws IOException, InterruptedException {
        Side p = new Side("without the agent", plainCommand);
        try {
            agent = new Side("with the agent", agentCommand);
        } catch (IOException | RuntimeException | InterruptedException e) {
            p.close();
            throw e;
        }
        plain = p;
        killOnExit = new Thread(() -> {
            plain.process.destroyForcibly();
            agent.process.destroyForcibly();
        }, "alternating-run-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Runs {@code pairs} pairs of turns of {@code millis} each, flipping the order every pair. */
    Turns run(int pairs, long millis) throws IOException, InterruptedException {
        List<Turn> plainTurns = new ArrayList<>();
        List<Turn> agentTurns = new ArrayList<>();
        for (int k = 0; k < pairs; k++) {
            if (k % 2 == 0) {
                plainTurns.add(plain.turn(millis));
                agentTurns.add(agent.turn(millis));
            } else {
                agentTurns.add(agent.turn(millis));
                plainTurns.add(plain.turn(millis));
            }
        }
        return new Turns(plainTurns, agentTurns);
    }

    /**
     * One turn of the JVM with the agent alone, the other one stopped: a window in which the agent's
     * work scheduled by the wall clock runs at its own rate, as in production (in the paired turns it runs
     * at up to twice that per second of running).
     */
    Turn agentAlone(long millis) throws IOException, InterruptedException {
        return agent.turn(millis);
    }

    /** The CPU time each JVM's threads have used so far, by kind ({@link ThreadCpu}): {without, with}. */
    List<Map<String, Long>> cpu() throws IOException, InterruptedException {
        return List.of(plain.cpu(), agent.cpu());
    }

    @Override
    public void close() {
        plain.close();
        agent.close();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs: it kills what is left
        }
    }

    /** One worker JVM, stopped except during its turns. */
    private static final class Side {
        private final String name;
        private final Process process;
        private final BufferedReader out;
        private final Writer in;
        private final StringBuilder seen = new StringBuilder();

        Side(String name, List<String> command) throws IOException, InterruptedException {
            this.name = name;
            this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            try {
                expect("ready");
                signal("STOP");
            } catch (IOException | RuntimeException | InterruptedException e) {
                process.destroyForcibly();
                throw e;
            }
        }

        Turn turn(long millis) throws IOException, InterruptedException {
            signal("CONT");
            in.write("run " + millis + "\n");
            in.flush();
            String[] answer = expect("turn ").split(" ");
            signal("STOP");
            return new Turn(Long.parseLong(answer[1]), Long.parseLong(answer[2]));
        }

        Map<String, Long> cpu() throws IOException, InterruptedException {
            signal("CONT");
            in.write("cpu\n");
            in.flush();
            String answer = expect("cpu ");
            signal("STOP");
            return ThreadCpu.parse(answer.substring(4).trim());
        }

        /** Reads lines until one starts with {@code prefix}; other lines (a JVM warning, say) are kept for errors. */
        private String expect(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                seen.append(line).append('\n');
                if (line.startsWith("error ")) {
                    break;
                }
            }
            throw new IllegalStateException("the JVM " + name + " did not answer '" + prefix.trim() + "':\n" + seen);
        }

        /** Sends SIGSTOP or SIGCONT; after a STOP, waits until the kernel shows the process stopped. */
        private void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                // a JVM that is gone said why on its output, which only expect() reads: drain it
                out.lines().forEach(line -> seen.append(line).append('\n'));
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + output
                        + "; the JVM " + name + (process.isAlive() ? "" : " exited with " + process.exitValue())
                        + " and said:\n" + seen);
            }
            if (signal.equals("STOP")) {
                Path stat = Paths.get("/proc", Long.toString(process.pid()), "stat");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!stopped(stat)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the JVM " + name + " did not stop");
                    }
                    Thread.sleep(1);
                }
            }
        }

        /** Whether /proc/PID/stat says "T" (stopped): its third field, after the parenthesised name. */
        private static boolean stopped(Path stat) throws IOException {
            String s = Files.readString(stat);
            int close = s.lastIndexOf(')');
            return close > 0 && s.length() > close + 2 && s.charAt(close + 2) == 'T';
        }

        void close() {
            try {
                signal("CONT");
                in.write("quit\n");
                in.flush();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | RuntimeException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
