package io.churnagent.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.annotations.Mode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every overhead measurement and writes the Markdown table of {@code docs/PERFORMANCE.md}.
 * Each ratio comes from forks with and without the agent run alternately in one run (the order flips
 * every round, so drift on the machine hits both sides), reported as median and range over rounds.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--rounds=5] [--smoke] [--out=docs/PERFORMANCE.md]
 *      [--agent=agent/target/churn-agent.jar] [--java=/usr/lib/jvm/...]
 * </pre>
 * {@code --smoke} runs everything once, briefly: it proves the benchmarks still run, not how fast.
 */
public final class PerformanceReport {

    /** Everything from this line on in the output file is kept across runs. */
    static final String NOTES_MARKER = "<!-- notes: kept across runs -->";

    private final int rounds;
    private final boolean smoke;
    private final Path out;
    private final Path agentJar;
    private final Path javaBin;
    private final Path work;
    private final String benchmarksJar;
    private final List<String[]> rows = new ArrayList<>();
    /**
     * Throughput forks each run in a network namespace of their own ({@code unshare -rn}) when this
     * machine allows it: every fork starts from an empty socket table. In the shared namespace a fork
     * inherits the previous fork's TIME_WAIT sockets (up to {@code tcp_max_tw_buckets}, for 60 s), which
     * makes its connects' port search and the agent's view of the kernel depend on the order of forks;
     * and at that cap the agent leaves the table unread, which hid the cost of reading a growing one.
     */
    private final boolean privateNetwork = privateNetworkWorks();

    private PerformanceReport(int rounds, boolean smoke, Path out, Path agentJar, Path javaHome) throws IOException {
        this.rounds = rounds;
        this.smoke = smoke;
        this.out = out;
        this.agentJar = agentJar.toAbsolutePath();
        this.javaBin = javaHome.resolve("bin").resolve("java");
        this.work = Files.createTempDirectory("churn-bench");
        this.benchmarksJar = System.getProperty("java.class.path");
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        boolean smoke = false;
        Path out = Paths.get("docs", "PERFORMANCE.md");
        Path agent = Paths.get("agent", "target", "churn-agent.jar");
        Path javaHome = Paths.get(System.getProperty("java.home"));
        for (String arg : args) {
            if (arg.startsWith("--rounds=")) {
                rounds = Integer.parseInt(arg.substring(9));
            } else if (arg.equals("--smoke")) {
                smoke = true;
            } else if (arg.startsWith("--out=")) {
                out = Paths.get(arg.substring(6));
            } else if (arg.startsWith("--agent=")) {
                agent = Paths.get(arg.substring(8));
            } else if (arg.startsWith("--java=")) {
                javaHome = Paths.get(arg.substring(7));
            } else {
                System.err.println("benchmarks: unknown argument '" + arg + "'; accepted: --rounds=N --smoke --out=FILE "
                        + "--agent=JAR --java=JAVA_HOME");
                System.exit(2);
            }
        }
        if (!Files.isRegularFile(agent)) {
            System.err.println("benchmarks: no agent jar at " + agent.toAbsolutePath() + " (build it: mvn -DskipTests package)");
            System.exit(2);
        }
        if (smoke) {
            rounds = 1;
        }
        new PerformanceReport(rounds, smoke, out, agent, javaHome).run(String.join(" ", args));
    }

    private void run(String arguments) throws Exception {
        progress("throughput forks: " + forkPlace());
        connectClose(1);
        connectClose(8);
        keepAliveHttp();
        bridgeHotPath();
        startup();
        attach();
        memory();
        stackCapture();
        write(arguments);
    }

    // ---- JMH --------------------------------------------------------------------------------------

    private ChainedOptionsBuilder jmh(String benchmark, boolean withAgent) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(Pattern.quote(benchmark) + "$")
                .forks(1)
                .warmupIterations(smoke ? 1 : 3)
                .warmupTime(TimeValue.milliseconds(smoke ? 300 : 2_000))
                .measurementIterations(smoke ? 1 : 5)
                .measurementTime(TimeValue.milliseconds(smoke ? 300 : 2_000))
                .jvm(javaBin.toString())
                .jvmArgs("-Xmx512m", "-Xms512m")
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        if (withAgent) {
            b.jvmArgsAppend("-javaagent:" + agentJar + "=log.file=" + work.resolve("agent-jmh.log"));
        }
        return b;
    }

    /**
     * Throughput forks have no warm-up iterations: they measure from the start, 2-s iterations, so
     * that one fork gives both the start-up window (its first {@link #startupIterations()}) and the
     * steady state (from {@link #steadyFrom()} on). A fork with the agent starts slower for reasons
     * that pass: the agent installs on a background thread while the benchmark runs, retransforming
     * {@code Socket} throws away the JIT's compiled code of the socket classes, and the compiler queue
     * holds Byte Buddy's code too. With 3 warm-up iterations (6 s) the 8-thread ratio was 0.81; with
     * 12 (24 s) it was 0.97-0.995 on the same machine (hand runs, 2026-11-22).
     */
    private int iterations() {
        return smoke ? 2 : 14;
    }

    private int startupIterations() {
        return smoke ? 1 : 3;
    }

    /** The first iteration (0-based) counted as steady state: from second 14 of the fork on. */
    private int steadyFrom() {
        return smoke ? 1 : 7;
    }

    private String iterationTime() {
        return smoke ? "300ms" : "2s";
    }

    /** One fork's throughput, iteration by iteration (ops/s). */
    private double[] throughput(String benchmark, int threads, boolean withAgent) throws Exception {
        if (privateNetwork) {
            return throughputInPrivateNetwork(benchmark, threads, withAgent);
        }
        RunResult r = new Runner(jmh(benchmark, withAgent).threads(threads).mode(Mode.Throughput)
                .warmupIterations(0).measurementIterations(iterations())
                .measurementTime(TimeValue.fromString(iterationTime()))
                .timeUnit(TimeUnit.SECONDS).build()).runSingle();
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                scores.add(i.getPrimaryResult().getScore());
            }
        }
        return scores.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private String forkPlace() {
        return privateNetwork ? "each fork in a network namespace of its own (`unshare -rn`)"
                : "forks share the host's network namespace (`unshare -rn` is not allowed here)";
    }

    /** The shell line that brings loopback up in a new network namespace, then runs its arguments. */
    private static final String NAMESPACE = "PATH=$PATH:/usr/sbin:/sbin; ip link set lo up && exec \"$@\"";

    /** Whether {@code unshare -rn} gives this user a network namespace with loopback up. */
    private static boolean privateNetworkWorks() {
        try {
            Process p = new ProcessBuilder("unshare", "-rn", "sh", "-c", NAMESPACE, "sh", "true")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * One throughput fork in a network namespace of its own: JMH's driver and its fork both run inside
     * it (they talk over loopback), so they go through JMH's command line, results as CSV.
     */
    private double[] throughputInPrivateNetwork(String benchmark, int threads, boolean withAgent) throws Exception {
        Path json = Files.createTempFile(work, "jmh", ".json");
        List<String> command = new ArrayList<>(List.of("unshare", "-rn", "sh", "-c", NAMESPACE, "sh",
                javaBin.toString(), "-cp", benchmarksJar, "org.openjdk.jmh.Main", Pattern.quote(benchmark) + "$",
                "-f", "1", "-t", String.valueOf(threads), "-bm", "thrpt", "-tu", "s",
                "-wi", "0", "-i", String.valueOf(iterations()), "-r", iterationTime(),
                "-jvm", javaBin.toString(), "-jvmArgs", "-Xmx512m -Xms512m", "-foe", "true", "-rf", "json", "-rff",
                json.toString()));
        if (withAgent) {
            command.addAll(List.of("-jvmArgsAppend", "-javaagent:" + agentJar + "=log.file=" + work.resolve("agent-jmh.log")));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        double[] scores = rawData(Files.readString(json));
        if (exit != 0 || scores.length != iterations()) {
            throw new IllegalStateException("JMH in a private network namespace failed (exit " + exit + ", "
                    + scores.length + " iterations read):\n" + output);
        }
        return scores;
    }

    /** The primary metric's per-iteration scores of JMH's JSON result (the first {@code rawData}). */
    static double[] rawData(String json) {
        Matcher m = Pattern.compile("\"rawData\"\\s*:\\s*\\[\\s*\\[([^\\]]*)\\]").matcher(json);
        if (!m.find()) {
            return new double[0];
        }
        String[] parts = m.group(1).split(",");
        double[] scores = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            scores[i] = Double.parseDouble(parts[i].trim());
        }
        return scores;
    }

    private static double mean(double[] scores, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += scores[i];
        }
        return sum / (to - from);
    }

    /** Steady-state and start-up-window ratios of one benchmark, over rounds. */
    private static final class Ratios {
        final Spread steady = new Spread();
        final Spread startup = new Spread();
    }

    /** Ratio rounds: with agent / without, alternating which goes first. */
    private Ratios ratio(String name, String benchmark, int threads) throws Exception {
        Ratios ratios = new Ratios();
        Spread plain = new Spread();
        for (int round = 0; round < rounds; round++) {
            double[] without;
            double[] with;
            if (round % 2 == 0) {
                without = throughput(benchmark, threads, false);
                with = throughput(benchmark, threads, true);
            } else {
                with = throughput(benchmark, threads, true);
                without = throughput(benchmark, threads, false);
            }
            int n = iterations();
            double steadyWithout = mean(without, steadyFrom(), n);
            double steadyWith = mean(with, steadyFrom(), n);
            double startupRatio = mean(with, 0, startupIterations()) / mean(without, 0, startupIterations());
            plain.add(steadyWithout);
            ratios.steady.add(steadyWith / steadyWithout);
            ratios.startup.add(startupRatio);
            progress(String.format(Locale.ROOT, "%s round %d: steady %.0f ops/s without, %.0f with, ratio %.4f; "
                    + "first %d iterations ratio %.4f", name, round + 1, steadyWithout, steadyWith,
                    steadyWith / steadyWithout, startupIterations(), startupRatio));
        }
        progress(name + ": steady " + ratios.steady.describe(4) + ", start-up window " + ratios.startup.describe(4)
                + "; without the agent " + plain.describe(0) + " ops/s");
        return ratios;
    }

    /** How the throughput rows were measured, for their "how" column. */
    private String throughputHow(Ratios r) {
        double seconds = smoke ? 0.3 : 2;
        return String.format(Locale.ROOT, "steady state: mean of iterations %d–%d of %s s each (from %s s into each "
                + "fork; no warm-up iterations); in the first %s s of each fork, while the agent installs and the JIT "
                + "recompiles the retransformed socket classes: %s; %s", steadyFrom() + 1, iterations(),
                format(seconds), format(steadyFrom() * seconds), format(startupIterations() * seconds),
                r.startup.describe(3), forkPlace());
    }

    private static String format(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : String.format(Locale.ROOT, "%.1f", seconds);
    }

    private void connectClose(int threads) throws Exception {
        Ratios r = ratio("connect+close x" + threads, ConnectCloseBenchmark.class.getName() + ".connectClose", threads);
        rows.add(new String[] {"loopback connect+close throughput, agent / no agent, " + threads + " thread"
                + (threads == 1 ? "" : "s"), "≥ 0.99 (aim 0.995)", r.steady.describe(4), verdict(r.steady.median() >= 0.99),
                "8 listeners on 127.0.0.1–8, round robin; " + throughputHow(r)});
    }

    private void keepAliveHttp() throws Exception {
        Ratios r = ratio("keep-alive HTTP", KeepAliveHttpBenchmark.class.getName() + ".request", 4);
        rows.add(new String[] {"keep-alive HTTP request throughput through a shared client, agent / none",
                "≥ 0.995", r.steady.describe(4), verdict(r.steady.median() >= 0.995), "JDK HttpClient → JDK HttpServer, 4 threads; "
                        + throughputHow(r)});
    }

    private void bridgeHotPath() throws Exception {
        Spread nanos = new Spread();
        Spread bytes = new Spread();
        for (int round = 0; round < rounds; round++) {
            RunResult r = new Runner(jmh(BridgeHotPathBenchmark.class.getName() + ".connectExitThenClose", true)
                    .threads(1).mode(Mode.AverageTime).timeUnit(TimeUnit.NANOSECONDS)
                    .addProfiler(GCProfiler.class).build()).runSingle();
            nanos.add(r.getPrimaryResult().getScore());
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            bytes.add(alloc == null ? Double.NaN : alloc.getScore());
            progress(String.format(Locale.ROOT, "bridge round %d: %.1f ns/op, %.2f B/op", round + 1,
                    nanos.median(), bytes.median()));
        }
        rows.add(new String[] {"added cost per connect+close (advice → bridge → tracker, no real I/O)",
                "≤ 100 ns uncontended, 0 B allocated per op", nanos.describe(1) + " ns; " + bytes.describe(2) + " B/op",
                verdict(nanos.median() <= 100 && bytes.median() < 1),
                "known destination, 1 thread; B/op from JMH's gc profiler"});
    }

    private void stackCapture() throws Exception {
        StringBuilder inside = new StringBuilder();
        StringBuilder walkAll = new StringBuilder();
        double worst = 0;
        for (String depth : new String[] {"20", "120"}) {
            Spread handler = captureMicros("insideHandler", depth);
            Spread unknown = captureMicros("capture", depth);
            progress("stack capture with " + depth + " server frames: " + handler.describe(2) + " µs inside a known handler, "
                    + unknown.describe(2) + " µs walking every frame");
            worst = Math.max(worst, handler.median());
            inside.append(inside.length() == 0 ? "" : "; ").append(handler.describe(2)).append(" µs over ")
                    .append(depth).append(" server frames");
            walkAll.append(walkAll.length() == 0 ? "" : "; ").append(unknown.describe(2)).append(" µs at ")
                    .append(depth);
        }
        rows.add(new String[] {"stack capture for a client built inside a handler", "≤ 10 µs each, rate-limited",
                inside.toString(), verdict(worst <= 10),
                "StackWalker walk (≤ 256 frames), 10 application frames above the handler's method, trimmed to the "
                        + "application frames; the walk ends at the handler. With no handler known it reads every "
                        + "frame: " + walkAll + " frames deep. Rate limits: RateLimiterTest, ClientSiteRecorderTest"});
    }

    private Spread captureMicros(String benchmark, String depth) throws Exception {
        Spread micros = new Spread();
        for (int round = 0; round < rounds; round++) {
            RunResult r = new Runner(jmh(StackCaptureBenchmark.class.getName() + "." + benchmark, true)
                    .param("depth", depth).threads(1).mode(Mode.AverageTime).timeUnit(TimeUnit.MICROSECONDS)
                    .build()).runSingle();
            micros.add(r.getPrimaryResult().getScore());
        }
        return micros;
    }

    // ---- forked JVMs ------------------------------------------------------------------------------

    private void startup() throws Exception {
        int pairs = smoke ? 2 : 10;
        Spread without = new Spread();
        Spread with = new Spread();
        Spread watched = new Spread();
        for (int i = 0; i < pairs; i++) {
            boolean agentFirst = i % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean agent = agentFirst == (k == 0);
                double[] ms = timeToMain(agent);
                (agent ? with : without).add(ms[0]);
                if (agent) {
                    watched.add(ms[1]);
                }
            }
        }
        double added = with.median() - without.median();
        progress(String.format(Locale.ROOT, "startup to main: without %s ms, with %s ms, added %.0f ms; every "
                + "connection watched %s ms after start", without.describe(0), with.describe(0), added, watched.describe(0)));
        rows.add(new String[] {"added JVM startup to `main` with `-javaagent`", "≤ 150 ms",
                String.format(Locale.ROOT, "%.0f ms (without %s ms; with %s ms)", added, without.describe(0), with.describe(0)),
                verdict(added <= 150), "wall clock from process start to the first line of `main`, alternating; with the "
                        + "default `startup=background` the agent finishes installing on a daemon thread, every connection "
                        + "watched " + watched.describe(0) + " ms after process start (`startup=wait` holds `main` that long)"});
    }

    /** Milliseconds from process start to main, and (with the agent) to the end of its background start-up. */
    private double[] timeToMain(boolean agent) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaBin.toString());
        if (agent) {
            command.add("-javaagent:" + agentJar + "=log.file=" + work.resolve("agent-startup.log"));
        }
        command.add("-cp");
        command.add(benchmarksJar);
        command.add(Hello.class.getName());
        if (agent) {
            command.add("watched");
        }
        long started = System.currentTimeMillis();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String[] lines = agent ? firstLines(p, "main at ", "watched at ") : firstLines(p, "main at ");
        double main = Long.parseLong(lines[0].substring("main at ".length()).trim()) - started;
        double watched = agent ? Long.parseLong(lines[1].substring("watched at ".length()).trim()) - started : Double.NaN;
        p.waitFor(60, TimeUnit.SECONDS);
        return new double[] {main, watched};
    }

    private void attach() throws Exception {
        int n = smoke ? 1 : 5;
        Spread wall = new Spread();
        Spread inTarget = new Spread();
        Spread wholeStart = new Spread();
        String phases = "";
        for (int i = 0; i < n; i++) {
            Path log = work.resolve("agent-attach-" + i + ".log");
            Process target = new ProcessBuilder(javaBin.toString(), "-cp", benchmarksJar, Hello.class.getName(), "wait",
                    "120000").redirectErrorStream(true).start();
            try {
                firstLine(target, "main at ");
                long started = System.nanoTime();
                Process cli = new ProcessBuilder(javaBin.toString(), "-jar", agentJar.toString(), "attach",
                        Long.toString(target.pid()), "log.file=" + log).redirectErrorStream(true).start();
                String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!cli.waitFor(120, TimeUnit.SECONDS) || cli.exitValue() != 0) {
                    throw new IllegalStateException("attach failed: " + output);
                }
                wall.add((System.nanoTime() - started) / 1e6);
                Matcher m = Pattern.compile("startup_ms=(\\d+) .*?phases_ms=(\\S+) instrumented_ms=(\\d+)")
                        .matcher(Files.readString(log));
                if (!m.find()) {
                    throw new IllegalStateException("no agent_started line in " + log);
                }
                inTarget.add(Double.parseDouble(m.group(3)));
                wholeStart.add(Double.parseDouble(m.group(1)));
                phases = m.group(2);
            } finally {
                target.destroyForcibly();
            }
        }
        progress("attach: CLI wall " + wall.describe(0) + " ms, in target " + inTarget.describe(0)
                + " ms until instrumented, " + wholeStart.describe(0) + " ms in all (" + phases + ")");
        rows.add(new String[] {"dynamic attach until instrumentation is active (CLI wall time and in-target time)",
                "≤ 500 ms in target", "in target " + inTarget.describe(0) + " ms; CLI wall " + wall.describe(0) + " ms",
                verdict(inTarget.median() <= 500), "idle target; in target: from agentmain until every connection is "
                        + "counted (instrumented_ms of agent_started); the log, the kernel's settings and the reporting "
                        + "follow, the whole start-up in target " + wholeStart.describe(0) + " ms; last run's phases (ms): "
                        + phases});
    }

    private void memory() throws Exception {
        int perDestination = smoke ? 2_000 : 10_000;
        long[] tracked = retained(perDestination, "destinations.max=" + perDestination);
        double each = (double) tracked[0] / perDestination;
        int flood = smoke ? 20_000 : 200_000;
        long[] atCap = retained(flood, "destinations.max=1000");
        progress(String.format(Locale.ROOT, "memory: %.0f B per destination; %d destinations at cap 1000: %d B, of "
                + "which the second half added %d B", each, flood, atCap[0], atCap[1]));
        rows.add(new String[] {"retained memory per tracked destination; total at the destination cap", "≤ 1 KB; bounded",
                String.format(Locale.ROOT, "%.0f B per destination (%d destinations); %.2f MB after %d distinct "
                        + "destinations at the default cap of 1000, the last %d of them adding %d B", each,
                        perDestination, atCap[0] / 1e6, flood, flood / 2, atCap[1]),
                // bounded: past the cap, new destinations add under a tenth of what tracking them would cost
                // (the rest is noise such as the reporter's last kernel table, which comes and goes)
                verdict(each <= 1024 && Math.abs(atCap[1]) < 0.1 * each * (flood / 2)),
                "heap at the end of full GCs (Serial GC; the least of five readings, so that a GC during a reporter "
                        + "tick does not count that tick's garbage), incl. the reporter's per-destination history and "
                        + "the InetAddress the agent keeps (the program drops its own)"});
    }

    /** {total bytes, bytes added by the second half} retained after feeding {@code destinations}. */
    private long[] retained(int destinations, String options) throws Exception {
        Process p = new ProcessBuilder(javaBin.toString(), "-XX:+UseSerialGC", "-Xmx1g",
                "-javaagent:" + agentJar + "=" + options + ",log.file=" + work.resolve("agent-memory.log"),
                "-cp", benchmarksJar, DestinationMemory.class.getName(), Integer.toString(destinations))
                .redirectErrorStream(true).start();
        String line = firstLine(p, "destinations ");
        p.waitFor(60, TimeUnit.SECONDS);
        return new long[] {field(line, "total_bytes"), field(line, "second_half_bytes")};
    }

    private static long field(String line, String name) {
        Matcher m = Pattern.compile(name + " (-?\\d+)").matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in: " + line);
        }
        return Long.parseLong(m.group(1));
    }

    // ---- output -----------------------------------------------------------------------------------

    private static String firstLine(Process p, String prefix) throws IOException {
        return firstLines(p, prefix)[0];
    }

    /** The first line starting with each prefix, in order; the rest of the output is drained. */
    private static String[] firstLines(Process p, String... prefixes) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String[] found = new String[prefixes.length];
        int next = 0;
        for (String line; next < prefixes.length && (line = reader.readLine()) != null; ) {
            if (line.startsWith(prefixes[next])) {
                found[next++] = line;
            } else {
                seen.append(line).append('\n');
            }
        }
        if (next < prefixes.length) {
            throw new IllegalStateException("the forked JVM never printed '" + prefixes[next] + "':\n" + seen);
        }
        Thread drain = new Thread(() -> {
            try {
                reader.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return found;
    }

    private static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }

    private void progress(String line) {
        System.out.println("benchmarks: " + line);
        System.out.flush();
    }

    private void write(String arguments) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| figure | target | measured: median (min–max, n) | verdict | how |\n|---|---|---|---|---|\n");
        for (String[] row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        String runtime = Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                + Runtime.getRuntime().availableProcessors() + " cores, " + LocalDate.now();
        String command = "java -jar benchmarks/target/benchmarks.jar" + (arguments.isEmpty() ? "" : " " + arguments);
        String text = "<!-- written by " + command + " -->\n"
                + (smoke ? "**Smoke run: one short round, not a measurement.**\n\n" : "")
                + md
                + "\nRun: `" + command + "` on " + runtime + "; forks run on " + javaBin + ".\n";
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        // hand-written analysis below the marker survives a new run
        String kept = "";
        if (Files.isRegularFile(out)) {
            String old = Files.readString(out);
            int notes = old.indexOf(NOTES_MARKER);
            kept = notes < 0 ? "" : "\n" + old.substring(notes);
        }
        Files.writeString(out, text + kept);
        progress("wrote " + out.toAbsolutePath());
        System.out.print(text);
    }
}
