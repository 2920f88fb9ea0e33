package io.churnagent.bench;

import org.openjdk.jmh.profile.GCProfiler;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every overhead measurement and writes the Markdown table of {@code docs/PERFORMANCE.md}.
 * Each throughput ratio comes from a JVM with the agent and one without, run in short turns side by
 * side ({@link AlternatingRun}), a new pair of JVMs each round; it is reported as an estimate with its
 * 95 % confidence interval and the range over rounds ({@link RatioEstimate}).
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
    /** With {@code --agent-options=K=V,...}: options for the agent under test beyond its log file. */
    private String agentOptions = "";
    /** With {@code --plan=WARMUP_PAIRS,WARMUP_MS,PAIRS,MS}: every throughput row's plan (a quick look), else null. */
    private Plan planOverride;
    /** With {@code --only=NAME,...}: the measurements to run (see {@link #run}); null for all. */
    private List<String> only;
    /**
     * Throughput JVMs each run in a network namespace of their own ({@code unshare -rn}) when this
     * machine allows it: every JVM starts from an empty socket table. In a shared namespace a JVM
     * would see the other's (and earlier rounds') TIME_WAIT sockets (up to {@code tcp_max_tw_buckets},
     * for 60 s), which makes its connects' port search and the agent's view of the kernel depend on
     * what ran before; and at that cap the agent leaves the table unread, which hid the cost of reading
     * a growing one.
     */
    private final boolean privateNetwork = privateNetworkWorks();

    /**
     * With {@code --beside-otel=JAR}: the OpenTelemetry Java agent both throughput JVMs carry (its exporters
     * off), so that a ratio is OTel + Churn Agent over OTel alone; null for the usual report.
     */
    private Path otelAgent;

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
        Path otel = null;
        List<String> only = null;
        String agentOptions = "";
        Plan planOverride = null;
        for (String arg : args) {
            if (arg.startsWith("--rounds=")) {
                rounds = Integer.parseInt(arg.substring(9));
            } else if (arg.equals("--smoke")) {
                smoke = true;
            } else if (arg.startsWith("--out=")) {
                out = Paths.get(arg.substring(6));
            } else if (arg.startsWith("--agent=")) {
                agent = Paths.get(arg.substring(8));
            } else if (arg.startsWith("--beside-otel=")) {
                otel = Paths.get(arg.substring("--beside-otel=".length())).toAbsolutePath();
            } else if (arg.startsWith("--java=")) {
                javaHome = Paths.get(arg.substring(7));
            } else if (arg.startsWith("--agent-options=")) {
                agentOptions = "," + arg.substring("--agent-options=".length());
            } else if (arg.startsWith("--plan=")) {
                String[] p = arg.substring(7).split(",");
                planOverride = new Plan(Integer.parseInt(p[0]), Long.parseLong(p[1]), Integer.parseInt(p[2]), Long.parseLong(p[3]));
            } else if (arg.startsWith("--only=")) {
                only = List.of(arg.substring(7).split(","));
            } else {
                System.err.println("benchmarks: unknown argument '" + arg + "'; accepted: --rounds=N --smoke --out=FILE "
                         + "--agent=JAR --agent-options=K=V,... --plan=WARMUP_PAIRS,WARMUP_MS,PAIRS,MS --java=JAVA_HOME "
                        + "--beside-otel=OTEL_AGENT_JAR --only=" + String.join(",", MEASUREMENTS));
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
        PerformanceReport report = new PerformanceReport(rounds, smoke, out, agent, javaHome);
        if (only != null && !MEASUREMENTS.containsAll(only)) {
            System.err.println("benchmarks: --only takes some of " + String.join(",", MEASUREMENTS));
            System.exit(2);
        }
        report.only = only;
        report.agentOptions = agentOptions;
        report.planOverride = planOverride;
        if (otel != null) {
            report.otelAgent = otel;
            report.besideOtel(String.join(" ", args));
        } else {
            report.run(String.join(" ", args));
        }
    }

    /**
     * Only the cost on top of the OpenTelemetry agent: connect+close and keep-alive HTTP throughput, OTel
     * agent + Churn Agent over OTel agent alone (both JVMs carry OTel with its exporters off). Shorter
     * plans than the usual rows: a first figure, not the 1 % proof.
     */
    private void besideOtel(String arguments) throws Exception {
        progress("beside the OpenTelemetry agent " + otelAgent + "; throughput JVMs: " + forkPlace());
        Throughput cc = alternate("connect+close x1 beside OTel", Workload.ConnectClose.NAME, 1, plan(new Plan(20, 1_000, 100, 100)));
        rows.add(new String[] {"loopback connect+close throughput, OTel agent + Churn Agent / OTel agent alone, 1 thread",
                "≥ 0.99", cc.steady().describe(), cc.steady().verdict(0.99),
                "8 listeners on 127.0.0.1–8, round robin; OTel agent in both JVMs (otel.*.exporter=none); " + throughputHow(cc)});
        Throughput ka = alternate("keep-alive HTTP beside OTel", Workload.KeepAlive.NAME, 4, plan(new Plan(30, 2_000, 60, 250)));
        rows.add(new String[] {"keep-alive HTTP request throughput, OTel agent + Churn Agent / OTel agent alone",
                "≥ 0.995", ka.steady().describe(), ka.steady().verdict(0.995),
                "JDK HttpClient → JDK HttpServer, 4 threads (OTel traces every request); OTel agent in both JVMs "
                        + "(otel.*.exporter=none); " + throughputHow(ka)});
        write(arguments);
    }

    /** The measurements, in the order they run; {@code --only} names some of them. */
    static final List<String> MEASUREMENTS = List.of("connect-close-1", "connect-close-8", "keep-alive", "churn",
            "first-second", "hot-path", "startup", "attach", "memory", "stack-capture");

    private boolean selected(String measurement) {
        return only == null || only.contains(measurement);
    }

    /** One measurement of {@link #MEASUREMENTS}. */
    private interface Measurement {
        void run() throws Exception;
    }

    private void run(String arguments) throws Exception {
        progress("throughput JVMs: " + forkPlace());
        Map<String, Measurement> all = new LinkedHashMap<>();
        all.put("connect-close-1", () -> connectClose(1));
        all.put("connect-close-8", () -> connectClose(8));
        all.put("keep-alive", this::keepAliveHttp);
        all.put("churn", this::churningApplication);
        all.put("first-second", this::firstSecond);
        all.put("hot-path", this::bridgeHotPath);
        all.put("startup", this::startup);
        all.put("attach", this::attach);
        all.put("memory", this::memory);
        all.put("stack-capture", this::stackCapture);
        for (Map.Entry<String, Measurement> m : all.entrySet()) {
            if (selected(m.getKey())) {
                m.getValue().run();
            }
        }
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

    // ---- throughput: two JVMs in turns ------------------------------------------------------------

    /**
     * How one throughput figure alternates, per round (a new pair of JVMs): {@code warmupPairs} pairs of
     * turns of {@code warmupMillis}, then {@code pairs} measured pairs of {@code millis}. Short turns,
     * many of them: on this kind of machine throughput drifts within seconds, and pairs of turns
     * 100-250 ms long differ by 7-16 % (standard deviation of their log ratio, plain against plain),
     * so only a few hundred pairs narrow the ratio to about a percent.
     */
    private record Plan(int warmupPairs, long warmupMillis, int pairs, long millis) {
    }

    private Plan plan(Plan full) {
        return smoke ? new Plan(2, 300, 4, 100) : planOverride != null ? planOverride : full;
    }

    /** The start-up window: each JVM's first turns, while the agent installs and the JIT recompiles. */
    private int startupPairs() {
        return smoke ? 1 : 3;
    }

    /**
     * A throughput figure over rounds: the steady ratio, the start-up window's, plain throughput, and
     * what each side's threads spent per operation.
     */
    private record Throughput(RatioEstimate steady, RatioEstimate startup, Spread plain, CpuPerOp cpu, Plan plan,
                              Spread agentShareAlone) {
    }

    /**
     * CPU time per operation in the measured turns, by kind of thread ({@link ThreadCpu}), without and
     * with the agent: medians over rounds. It says where a ratio below 1 comes from: the application's
     * own threads doing more per operation (the advice), the agent's threads, or the JIT compiling more.
     * A JVM runs only in its turns, so its threads' CPU time between two readings is that of its turns.
     */
    private static final class CpuPerOp {
        private static final String ALL = "all threads";
        static final List<String> KINDS = List.of(ThreadCpu.REST, ThreadCpu.AGENT, ThreadCpu.JIT, ThreadCpu.GC);
        /** By kind, all threads first: the order of the description. */
        private final Map<String, Spread> without = new LinkedHashMap<>();
        private final Map<String, Spread> with = new LinkedHashMap<>();
        /** Per round, in the JVM with the agent: its threads' share of all its threads' CPU. */
        private final Spread agentShare = new Spread();
        /**
         * Per round: the application's threads' extra CPU per operation with the agent (its advice runs
         * there), as a share of all CPU per operation with the agent; noisy (a difference of two JVMs).
         */
        private final Spread adviceShare = new Spread();
        private final double microsPerTick;

        CpuPerOp(double microsPerTick) {
            this.microsPerTick = microsPerTick;
            for (Map<String, Spread> side : List.of(without, with)) {
                side.put(ALL, new Spread());
                KINDS.forEach(kind -> side.put(kind, new Spread()));
            }
        }

        /** Adds a round: the CPU readings {without, with} before and after its measured turns. */
        void add(List<Map<String, Long>> before, List<Map<String, Long>> after, AlternatingRun.Turns measured) {
            add(without, before.get(0), after.get(0), ops(measured.plain()));
            add(with, before.get(1), after.get(1), ops(measured.agent()));
            double all = with.get(ALL).last();
            agentShare.add(with.get(ThreadCpu.AGENT).last() / all);
            adviceShare.add((with.get(ThreadCpu.REST).last() - without.get(ThreadCpu.REST).last()) / all);
        }

        Spread agentShare() {
            return agentShare;
        }

        Spread adviceShare() {
            return adviceShare;
        }

        private static long ops(List<AlternatingRun.Turn> turns) {
            return turns.stream().mapToLong(AlternatingRun.Turn::ops).sum();
        }

        private void add(Map<String, Spread> into, Map<String, Long> before, Map<String, Long> after, long ops) {
            double all = 0;
            for (String kind : KINDS) {
                double micros = (after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L)) * microsPerTick / ops;
                into.get(kind).add(micros);
                all += micros;
            }
            into.get(ALL).add(all);
        }

        /** The last round's figure of one kind, without and with: for progress lines. */
        String last(String kind) {
            return String.format(Locale.ROOT, "%.2f → %.2f", without.get(kind).last(), with.get(kind).last());
        }

        /** {@code all threads 21.04 → 22.26; application and JVM 20.61 → 20.87; ...} (µs per operation). */
        String describe() {
            StringBuilder b = new StringBuilder();
            for (String kind : without.keySet()) {
                b.append(b.length() == 0 ? "" : "; ").append(kind).append(String.format(Locale.ROOT, " %.2f → %.2f",
                        without.get(kind).median(), with.get(kind).median()));
            }
            return b.toString();
        }
    }

    /** Microseconds per clock tick of /proc's CPU times ({@code getconf CLK_TCK}, 100 almost everywhere). */
    private static double microsPerTick() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && out.matches("[0-9]+")) {
                return 1e6 / Long.parseLong(out);
            }
        } catch (IOException e) {
            // no getconf: the usual value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 1e6 / 100;
    }

    private String forkPlace() {
        return privateNetwork ? "each JVM in a network namespace of its own (`unshare -rn`)"
                : "the JVMs share the host's network namespace (`unshare -rn` is not allowed here)";
    }

    /** The shell line that brings loopback up in a new network namespace, then runs its arguments. */
    private static final String NAMESPACE = "PATH=$PATH:/usr/sbin:/sbin; ip link set lo up && { " + AlternatingRun.NO_HANGUP + "; }";

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
     * A {@link TurnWorker}'s command line. In a network namespace of its own, each JVM starts from an
     * empty socket table and sees only its own TIME_WAIT sockets, so the agent's reading of the kernel's
     * table reads its own JVM's churn, not the other's.
     */
    private List<String> worker(String workload, int threads, boolean withAgent) {
        List<String> command = new ArrayList<>();
        if (privateNetwork) {
            command.addAll(List.of("unshare", "-rn", "sh", "-c", NAMESPACE, "sh"));
        } else {
            command.addAll(List.of("sh", "-c", AlternatingRun.NO_HANGUP, "sh"));
        }
        command.addAll(List.of(javaBin.toString(), "-Xmx512m", "-Xms512m"));
        if (otelAgent != null) {
            command.addAll(List.of("-javaagent:" + otelAgent, "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none",
                    "-Dotel.logs.exporter=none"));
        }
        if (withAgent) {
            command.add("-javaagent:" + agentJar + "=log.file=" + work.resolve("agent-turns.log") + agentOptions);
        }
        command.addAll(List.of("-cp", benchmarksJar, TurnWorker.class.getName(), workload, String.valueOf(threads)));
        return command;
    }

    private Throughput alternate(String name, String workload, int threads, Plan plan) throws Exception {
        return alternate(name, workload, threads, plan, 0);
    }

    /**
     * As above; with {@code aloneMillis} above 0, each round ends with one turn that long of the JVM with the
     * agent alone, in which its agent threads' share of its CPU is read ({@link Throughput#agentShareAlone}).
     */
    private Throughput alternate(String name, String workload, int threads, Plan plan, long aloneMillis) throws Exception {
        Throughput t = new Throughput(new RatioEstimate(), new RatioEstimate(), new Spread(), new CpuPerOp(microsPerTick()),
                plan, new Spread());
        for (int round = 0; round < rounds; round++) {
            try (AlternatingRun run = new AlternatingRun(worker(workload, threads, false), worker(workload, threads, true))) {
                AlternatingRun.Turns warm = run.run(plan.warmupPairs(), plan.warmupMillis());
                List<Map<String, Long>> before = run.cpu();
                AlternatingRun.Turns measured = run.run(plan.pairs(), plan.millis());
                t.cpu().add(before, run.cpu(), measured);
                double steady = t.steady().addRound(measured.ratios(0, plan.pairs()));
                double startup = t.startup().addRound(warm.ratios(0, Math.min(startupPairs(), plan.warmupPairs())));
                double plain = measured.medianPlain(0, plan.pairs());
                t.plain().add(plain);
                if (aloneMillis > 0) {
                    Map<String, Long> from = run.cpu().get(1);
                    run.agentAlone(aloneMillis);
                    Map<String, Long> to = run.cpu().get(1);
                    long all = 0;
                    for (String kind : CpuPerOp.KINDS) {
                        all += to.getOrDefault(kind, 0L) - from.getOrDefault(kind, 0L);
                    }
                    long agentTicks = to.getOrDefault(ThreadCpu.AGENT, 0L) - from.getOrDefault(ThreadCpu.AGENT, 0L);
                    t.agentShareAlone().add(all == 0 ? 0 : (double) agentTicks / all);
                    progress(String.format(Locale.ROOT, "%s round %d: alone for %d ms, agent threads %.2f %% of the "
                            + "JVM's CPU", name, round + 1, aloneMillis, t.agentShareAlone().last() * 100));
                }
                progress(String.format(Locale.ROOT, "%s round %d: %.0f ops/s without the agent (median turn), ratio "
                        + "%.4f over %d pairs of turns; start-up window %.4f; CPU µs/op without → with: all %s, agent "
                        + "threads %s, JIT %s", name, round + 1, plain, steady, plan.pairs(), startup,
                        t.cpu().last(CpuPerOp.ALL), t.cpu().last(ThreadCpu.AGENT), t.cpu().last(ThreadCpu.JIT)));
            }
        }
        progress(name + ": " + t.steady().describe() + "; start-up window " + t.startup().describe()
                + "; without the agent " + t.plain().describe(0) + " ops/s; CPU µs/op without → with: " + t.cpu().describe());
        return t;
    }

    /** How a throughput row was measured, for its "how" column. */
    private String throughputHow(Throughput t) {
        Plan p = t.plan();
        return String.format(Locale.ROOT, "two JVMs side by side, with and without the agent, run in turns (the "
                + "other one stopped: SIGSTOP), the order flipped every pair of turns; per round a new pair of JVMs, "
                + "%d warm-up pairs of %s s, then %d pairs of %d ms; a round's ratio is the geometric mean of its "
                + "pairs' ratios; plain throughput %s ops/s; CPU per operation in the measured turns, by kind of thread, "
                + "without → with the agent, median of rounds (µs): %s; in each JVM's first %d turns, while the agent "
                + "installs and the JIT recompiles the retransformed socket classes: %s; %s", p.warmupPairs(),
                format(p.warmupMillis() / 1000.0), p.pairs(), p.millis(), t.plain().describe(0), t.cpu().describe(),
                startupPairs(), t.startup().describe(), forkPlace());
    }

    private static String format(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : String.format(Locale.ROOT, "%.1f", seconds);
    }

    private void connectClose(int threads) throws Exception {
        // one thread: 100-ms turns (pairs differ by 16 %); eight: 250 ms (7 %). 20 s of warm-up turns per
        // JVM: with 10, the JVM with the agent was still compiling the socket path in its measured turns
        // (8 threads: JIT CPU 0.16 -> 0.78 µs/op, ratio 0.978; with 20: 0.15-0.57 -> 0.19-0.26, 0.995)
        Plan full = threads == 1 ? new Plan(20, 1_000, 300, 100) : new Plan(20, 1_000, 120, 250);
        Throughput t = alternate("connect+close x" + threads, Workload.ConnectClose.NAME, threads, plan(full));
        rows.add(new String[] {"loopback connect+close throughput, agent / no agent, " + threads + " thread"
                + (threads == 1 ? "" : "s"), "≥ 0.99 (aim 0.995)", t.steady().describe(), t.steady().verdict(0.99),
                "8 listeners on 127.0.0.1–8, round robin; " + throughputHow(t)});
    }

    private void keepAliveHttp() throws Exception {
        // the JDK HttpClient takes tens of seconds to reach its steady pace, and the JIT still recompiles
        // its request path late, in either JVM (more often in the one with the agent: docs/PERFORMANCE.md,
        // sixth session): 60 s of warm-up turns per JVM
        Throughput t = alternate("keep-alive HTTP", Workload.KeepAlive.NAME, 4, plan(new Plan(30, 2_000, 120, 250)));
        rows.add(new String[] {"keep-alive HTTP request throughput through a shared client, agent / none",
                "≥ 0.995", t.steady().describe(), t.steady().verdict(0.995), "JDK HttpClient → JDK HttpServer, 4 threads; "
                        + throughputHow(t)});
    }

    /**
     * Heavy churn: a client built per request ({@link Workload.ClientPerRequest}), 1,000-3,000 new
     * connections a second to one destination, TIME_WAIT in the tens of thousands, the agent warning
     * critical. Two rows from one run: the throughput ratio, and the agent's own share of the CPU of
     * its JVM (its threads, and the extra CPU of the application's threads, where its advice runs).
     */
    private void churningApplication() throws Exception {
        // 60 s of warm-up turns per JVM: this workload's code (two HTTP clients, a server, TLS set-up per
        // client) keeps C2 busy for about a minute on 2 cores; with 20 the measured turns still had the
        // JIT at 92-169 µs per request without the agent and 97-358 with it
        Throughput t = alternate("client per request", Workload.ClientPerRequest.NAME, 4,
                // a cold JVM serves its first requests of this workload slowly: the smoke run's turns are longer
                smoke ? new Plan(4, 1_000, 4, 250) : plan(new Plan(60, 1_000, 120, 250)), smoke ? 500 : 20_000);
        rows.add(new String[] {"churning application throughput (a client per request), agent / none", "≥ 0.97",
                t.steady().describe(), t.steady().verdict(0.97), "each request to a JDK HttpServer builds an Apache "
                        + "HttpClient 5, calls a backend on 127.0.0.2 and closes it (TIME_WAIT on the client's side, "
                        + "the agent warns critical), 4 threads through a shared JDK HttpClient; " + throughputHow(t)});
        Spread alone = t.agentShareAlone();
        Spread turns = t.cpu().agentShare();
        Spread advice = t.cpu().adviceShare();
        rows.add(new String[] {"the agent's share of its JVM's CPU under that churn", "agent threads ≤ 1 %",
                "agent threads " + percent(alone) + "; in the paired turns " + percent(turns)
                        + "; application threads' extra CPU with the agent " + percent(advice),
                verdict(alone.median() <= 0.01), "CPU time of the agent's threads (reporter, clock; "
                        + "/proc/self/task) over all its threads', in a turn of " + (smoke ? "0.5" : "20") + " s of the JVM "
                        + "with the agent alone after the row above's turns (the agent's wall-clock budgets run at their "
                        + "own rate there; in the paired turns, where each JVM runs half the time, at up to twice it); "
                        + "the application threads' CPU per request with the agent minus without, over all CPU per "
                        + "request with it, in the paired turns (the advice runs there; a difference of two JVMs, so noisy)"});
    }

    /** A spread of shares as percentages: {@code 0.52 % (0.40–0.61 %, n=5)}. */
    private static String percent(Spread shares) {
        return String.format(Locale.ROOT, "%.2f %% (%.2f–%.2f %%, n=%d)", shares.median() * 100, shares.min() * 100,
                shares.max() * 100, shares.count());
    }

    /**
     * A short program's first second ({@link ShortProgram}): 2,000 warm-up and 15,000 more loopback
     * connect+close cycles from the JVM's launch, new JVMs with and without the agent in turns, the
     * order flipped every pair; the ratio is time without / time with, per pair.
     */
    private void firstSecond() throws Exception {
        int pairs = smoke ? 2 : 12;
        Spread wall = new Spread();
        Spread cpu = new Spread();
        Spread plainMillis = new Spread();
        for (int i = 0; i < pairs; i++) {
            double[][] ran = new double[2][];
            boolean agentFirst = i % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean agent = agentFirst == (k == 0);
                ran[agent ? 1 : 0] = shortProgram(agent);
            }
            wall.add(ran[0][0] / ran[1][0]);
            cpu.add(ran[0][1] / ran[1][1]);
            plainMillis.add(ran[0][0]);
        }
        progress("first second: time without / with " + wall.describe(3) + ", CPU without / with " + cpu.describe(3)
                + ", without the agent " + plainMillis.describe(0) + " ms");
        rows.add(new String[] {"a short program's first second: time without / with the agent", "≥ 0.90",
                wall.describe(3), verdict(wall.median() >= 0.90), "launch to the end of 2,000 + 15,000 loopback "
                        + "connect+close cycles (8 listeners on 127.0.0.1–8), wall time, new JVMs in pairs, the order "
                        + "flipped every pair; without the agent " + plainMillis.describe(0) + " ms; the whole process's "
                        + "CPU time without / with " + cpu.describe(3) + "; " + forkPlace()});
    }

    /** {wall ms from launch to the end of its cycles, CPU ticks of the whole process by then}. */
    private double[] shortProgram(boolean agent) throws Exception {
        List<String> command = new ArrayList<>();
        if (privateNetwork) {
            command.addAll(List.of("unshare", "-rn", "sh", "-c", NAMESPACE, "sh"));
        }
        command.addAll(List.of(javaBin.toString(), "-Xmx512m", "-Xms512m"));
        if (agent) {
            command.add("-javaagent:" + agentJar + "=log.file=" + work.resolve("agent-short.log"));
        }
        command.addAll(List.of("-cp", benchmarksJar, ShortProgram.class.getName(), "2000", "15000"));
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String line = firstLine(p, "done ");
        double millis = (System.nanoTime() - started) / 1e6;
        p.waitFor(60, TimeUnit.SECONDS);
        return new double[] {millis, Double.parseDouble(line.split(" ")[1])};
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
        md.append("| figure | target | measured: throughput, the estimate (95 % CI; range over rounds); others, median "
                + "(min–max, n) | verdict | how |\n|---|---|---|---|---|\n");
        for (String[] row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        String runtime = Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                + Runtime.getRuntime().availableProcessors() + " cores, " + LocalDate.now();
        String command = "java -jar benchmarks/target/benchmarks.jar" + (arguments.isEmpty() ? "" : " " + arguments);
        String text = "<!-- written by " + command + " -->\n"
                + (smoke ? "**Smoke run: one short round, not a measurement.**\n\n" : "")
                + md
                + "\nRun: `" + command + "` on " + runtime + "; the measured JVMs run on " + javaBin + ".\n";
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
