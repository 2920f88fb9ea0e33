package io.churnagent.it;

import io.churnagent.it.programs.HttpOnCommand;
import io.churnagent.it.programs.OwnOtelSdk;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Churn Agent beside the real OpenTelemetry Java agent (2.22.0) and Elastic APM agent (1.55.1): before
 * and after it on the command line, and already running when Churn Agent is attached and detached.
 * Both keep working: Churn Agent's counts are exact and it warns about the churning destination only;
 * the other agent's spans and metrics (OTel) or instrumentation log (Elastic) are there; neither log has
 * an error or a stack trace. With the OTel agent the churn figures also appear on its Prometheus exporter;
 * an application that sets its own global OpenTelemetry gets them on its own SDK.
 */
class BesideOtherAgentsIT {

    /**
     * Requests of {@code churn N}. At 20,000 ports and warn.ratio=0.01, 200 projected ports (3.3 closes/s
     * over 60 s) warn; the test asks the program to reach 4 times that (16/s, checked on its done line),
     * and it reached 33-50/s beside either agent on a busy 2-core machine. Critical (0.8: 267 closes/s) is
     * out of reach, so the warning is a WARN line.
     */
    private static final int N = 100;
    /** Closes a second, rounded up, that project 200 ports (1 % of 20,000) over 60 s. */
    private static final int MIN_WARNING_RATE = 4;
    private static final int CAPACITY = 20_000;
    private static final String CHURN_OPTIONS = "capacity=" + CAPACITY + ",warn.ratio=0.01,report.interval=1s";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Path otherAgent(String name) {
        Path jar = Paths.get(System.getProperty("churn.test.other.agents", "target/other-agents"), name + ".jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: mvn verify copies it (execution other-agents)");
        return jar;
    }

    private static List<String> otelArgs(int prometheusPort) {
        return List.of("-javaagent:" + otherAgent("opentelemetry-javaagent"), "-Dotel.traces.exporter=logging",
                "-Dotel.metrics.exporter=prometheus", "-Dotel.exporter.prometheus.host=127.0.0.1",
                "-Dotel.exporter.prometheus.port=" + prometheusPort, "-Dotel.logs.exporter=none",
                "-Dotel.service.name=churn-it");
    }

    private static List<String> elasticArgs() {
        return List.of("-javaagent:" + otherAgent("elastic-apm-agent"), "-Delastic.apm.service_name=churn-it",
                "-Delastic.apm.disable_send=true", "-Delastic.apm.central_config=false",
                "-Delastic.apm.log_level=debug", "-Delastic.apm.application_packages=io.churnagent.it.programs",
                // a transaction around each request, so that its HTTP client span (and traceparent header) exists
                "-Delastic.apm.trace_methods=" + HttpOnCommand.class.getName() + "#get");
    }

    private static ForkedJvm program(Path jdk, List<String> otherAgent, boolean churnFirst) {
        ForkedJvm jvm = new ForkedJvm(jdk);
        if (churnFirst) {
            jvm.withAgent(CHURN_OPTIONS);
        }
        otherAgent.forEach(jvm::jvmArg);
        if (!churnFirst) {
            jvm.withAgent(CHURN_OPTIONS);
        }
        return jvm.mainClass(HttpOnCommand.class);
    }

    @OnEachJdk
    void besideTheOpenTelemetryAgentInEitherOrder(Path jdk) throws Exception {
        for (boolean churnFirst : new boolean[] {true, false}) {
            int prometheus = freePort();
            try (ForkedJvm jvm = program(jdk, otelArgs(prometheus), churnFirst).start()) {
                String order = churnFirst ? "churn agent first" : "OTel agent first";
                Ports ports = churnAndPool(jvm);
                assertChurnVerdicts(jvm, ports, order);
                assertOtelSpans(jvm, order);
                assertChurnMetricsOnOtel(jvm, prometheus, ports.churn, N);
                jvm.awaitLine(l -> l.contains("event=otel_metrics_started via=otel-javaagent"), WAIT);
                assertNoErrors(jvm, order);
            }
        }
    }

    @OnEachJdk
    void besideTheElasticAgentInEitherOrder(Path jdk) throws Exception {
        for (boolean churnFirst : new boolean[] {true, false}) {
            try (ForkedJvm jvm = program(jdk, elasticArgs(), churnFirst).start()) {
                String order = churnFirst ? "churn agent first" : "Elastic agent first";
                Ports ports = churnAndPool(jvm);
                assertChurnVerdicts(jvm, ports, order);
                assertElasticInstrumented(jvm, order);
                assertNoErrors(jvm, order);
            }
        }
    }

    @OnEachJdk
    void attachedBesideARunningOtelAgentAndDetached(Path jdk) throws Exception {
        int prometheus = freePort();
        try (ForkedJvm jvm = new ForkedJvm(jdk).mainClass(HttpOnCommand.class)) {
            otelArgs(prometheus).forEach(jvm::jvmArg);
            jvm.start();
            Ports ports = attachThenChurnAndPool(jdk, jvm);
            assertChurnVerdicts(jvm, ports, "attached");
            assertChurnMetricsOnOtel(jvm, prometheus, ports.churn, N);
            detach(jdk, jvm);
            // the OTel agent goes on: 10 more requests, 10 more client spans; the churn instruments are gone
            int spansBefore = clientSpans(jvm);
            assertEquals(10, command(jvm, "churn 10")[0], () -> "still traced after detach" + jvm.output());
            awaitTrue(() -> clientSpans(jvm) >= spansBefore + 10, "10 more client spans after detach", jvm);
            String after = awaitScrape(prometheus, body -> body.contains("http_client_request_duration_seconds_count"));
            assertFalse(after.contains("churn_connections_opened"), "detach removed the churn instruments:\n" + after);
            assertNoErrors(jvm, "attached and detached");
        }
    }

    @OnEachJdk
    void attachedBesideARunningElasticAgentAndDetached(Path jdk) throws Exception {
        try (ForkedJvm jvm = new ForkedJvm(jdk).mainClass(HttpOnCommand.class)) {
            elasticArgs().forEach(jvm::jvmArg);
            jvm.start();
            Ports ports = attachThenChurnAndPool(jdk, jvm);
            assertChurnVerdicts(jvm, ports, "attached");
            assertElasticInstrumented(jvm, "attached");
            detach(jdk, jvm);
            assertEquals(10, command(jvm, "churn 10")[0], () -> "still traced after detach" + jvm.output());
            assertNoErrors(jvm, "attached and detached");
        }
    }

    @OnEachJdk
    void withoutTheApiOnTheClassPathTheOtelAgentGetsOneLine(Path jdk) throws Exception {
        String testClassesOnly = System.getProperty("churn.test.classes");
        try (ForkedJvm jvm = new ForkedJvm(jdk).withAgent(CHURN_OPTIONS)) {
            otelArgs(freePort()).forEach(jvm::jvmArg);
            jvm.mainClassOn(testClassesOnly, HttpOnCommand.class).start();
            String line = jvm.awaitLine(l -> l.contains("event=export_unavailable export=otel"), WAIT);
            assertTrue(line.contains("opentelemetry-api is not on the application class path"), line);
            String destination = jvm.awaitReady(WAIT);
            assertEquals(10, command(jvm, "churn 10")[0], () -> "the OTel agent traced every request" + jvm.output());
            AgentEvent report = awaitReport(jvm, destination, 10);
            ReportAssertions.assertAllClosedNoneFailed(report, "churn", 10);
            assertNoErrors(jvm, "no API");
        }
    }

    @OnEachJdk
    void anApplicationsOwnGlobalOpenTelemetryGetsTheFigures(Path jdk) throws Exception {
        try (ForkedJvm jvm = new ForkedJvm(jdk).withAgent(CHURN_OPTIONS).mainClass(OwnOtelSdk.class).start()) {
            jvm.awaitLine(l -> l.equals("otel set"), WAIT); // its set() did not throw: nothing fixed a global before
            String destination = jvm.awaitReady(WAIT);
            jvm.awaitLine(l -> l.contains("event=otel_metrics_started via=global"), WAIT);
            command(jvm, "churn " + N);
            for (String metric : List.of("churn.connections.opened " + destination + " " + N,
                    "churn.connections.closed " + destination + " " + N,
                    "churn.ports.capacity " + destination + " " + (double) CAPACITY)) {
                jvm.awaitLine(l -> l.equals("metric " + metric), WAIT);
            }
            assertNoErrors(jvm, "own SDK");
        }
    }

    // --- the program's two destinations and Churn Agent's verdicts on them ---

    private static final class Ports {
        final int churn;
        final int pooled;

        Ports(int churn, int pooled) {
            this.churn = churn;
            this.pooled = pooled;
        }
    }

    /**
     * Runs {@code churn N} and {@code pooled N}; asserts that the other agent traced every request (its
     * {@code traceparent} header arrived) and that the program was fast enough for the warning to be
     * about churn, not about this machine's speed.
     */
    private static Ports churnAndPool(ForkedJvm jvm) throws Exception {
        String churn = jvm.awaitReady(WAIT);
        jvm.awaitLine(l -> l.contains("event=agent_started"), WAIT);
        int[] churned = command(jvm, "churn " + N);
        assertEquals(N, churned[0], () -> "the other agent traced every churning request" + jvm.output());
        assertTrue(churned[1] >= 4 * MIN_WARNING_RATE, () -> "the program reached " + churned[1] + " requests/s; the "
                + "test needs 4 x " + MIN_WARNING_RATE + "/s to be independent of this machine's speed" + jvm.output());
        int[] pooled = command(jvm, "pooled " + N);
        assertEquals(N, pooled[0], () -> "the other agent traced every pooled request" + jvm.output());
        return new Ports(Integer.parseInt(churn.substring(churn.indexOf(':') + 1)), pooledPort(jvm));
    }

    private static int pooledPort(ForkedJvm jvm) throws Exception {
        String line = jvm.awaitLine(l -> l.startsWith("pooled port="), WAIT);
        return Integer.parseInt(line.substring("pooled port=".length()));
    }

    private static Ports attachThenChurnAndPool(Path jdk, ForkedJvm jvm) throws Exception {
        jvm.awaitReady(WAIT);
        ForkedJvm attach = new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "attach", Long.toString(jvm.pid()), CHURN_OPTIONS);
        assertEquals(0, attach.run(WAIT), attach::stderr);
        return churnAndPool(jvm);
    }

    private static void detach(Path jdk, ForkedJvm jvm) throws Exception {
        ForkedJvm detach = new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "detach", Long.toString(jvm.pid()));
        assertEquals(0, detach.run(WAIT), detach::stderr);
        String detached = jvm.awaitLine(l -> l.contains("event=agent_detached"), WAIT);
        assertTrue(detached.contains("classes_restored=true"), detached);
    }

    /** N connects and N closes to the churning server, one pooled connection, a warning for the first only. */
    private static void assertChurnVerdicts(ForkedJvm jvm, Ports ports, String order) throws Exception {
        AgentEvent churn = awaitReport(jvm, "127.0.0.1:" + ports.churn, N);
        ReportAssertions.assertAllClosedNoneFailed(churn, order + ": churn", N);
        assertTrue(churn.get("site").startsWith(HttpOnCommand.class.getName() + ".get("), () -> order + ": " + churn);
        AgentEvent pooled = AgentEvent.reportByDestination(jvm.agentEvents()).get("127.0.0.1:" + ports.pooled);
        assertEquals(1, pooled.getLong("connects"), () -> order + ": the pooled client's one connection: " + pooled);
        List<AgentEvent> warnings = AgentEvent.named(jvm.agentEvents(), "churn_warning");
        assertTrue(warnings.stream().anyMatch(w -> w.get("destination").equals("127.0.0.1:" + ports.churn)),
                () -> order + ": no warning for the churning destination" + jvm.output());
        assertTrue(warnings.stream().noneMatch(w -> w.get("destination").equals("127.0.0.1:" + ports.pooled)),
                () -> order + ": a warning for the pooled destination" + jvm.output());
        assertTrue(AgentEvent.named(jvm.agentEvents(), "client_per_request").isEmpty(),
                () -> order + ": no client is built inside a request handler" + jvm.output());
    }

    /** The latest report line for {@code destination} once it shows {@code n} closes. */
    private static AgentEvent awaitReport(ForkedJvm jvm, String destination, int n) throws Exception {
        return Await.until(WAIT, () -> AgentEvent.reportByDestination(jvm.agentEvents()).get(destination),
                last -> last != null && Integer.toString(n).equals(last.get("closes")),
                last -> "no report line with closes=" + n + " for " + destination + "; last: " + last + jvm.output());
    }

    // --- the other agents' own output ---

    private static final Pattern CLIENT_SPAN = Pattern.compile("LoggingSpanExporter - 'GET' : \\w+ \\w+ CLIENT ");

    private static int clientSpans(ForkedJvm jvm) {
        return (int) jvm.stderr().lines().filter(l -> CLIENT_SPAN.matcher(l).find()).count()
                + (int) jvm.stdout().lines().filter(l -> CLIENT_SPAN.matcher(l).find()).count();
    }

    /** The OTel agent logged a client and a server span per request (the spans are exported in batches). */
    private static void assertOtelSpans(ForkedJvm jvm, String order) throws Exception {
        awaitTrue(() -> clientSpans(jvm) >= 2 * N, order + ": " + 2 * N + " client spans", jvm);
        assertTrue(jvm.stderr().contains("'GET /ping' : ") && jvm.stderr().contains(" SERVER [tracer: io.opentelemetry.java-http-server"),
                () -> order + ": server spans" + jvm.output());
    }

    private static void assertElasticInstrumented(ForkedJvm jvm, String order) throws Exception {
        jvm.awaitLine(l -> l.contains("Type match for instrumentation CreateSpanInstrumentation")
                && l.contains("matches class sun.net.www.protocol.http.HttpURLConnection"), WAIT);
    }

    /** Churn Agent's counters on the OTel agent's Prometheus exporter, with the right values. */
    private static void assertChurnMetricsOnOtel(ForkedJvm jvm, int prometheus, int churnPort, int n) throws Exception {
        String series = "server_address=\"127.0.0.1\",server_port=\"" + churnPort + "\"";
        String body = awaitScrape(prometheus, b -> value(b, "churn_connections_closed_total", series) == n);
        assertEquals(n, value(body, "churn_connections_opened_total", series), body);
        assertEquals(0, value(body, "churn_connections_open", series), body);
        assertEquals(CAPACITY, value(body, "churn_ports_capacity", series), body);
        assertTrue(value(body, "churn_ratio", series) >= 0, body);
        assertTrue(body.contains("http_client_request_duration_seconds_count"), "the OTel agent's own metrics: " + body);
    }

    /** A sample's value ({@code -1} when absent) of {@code metric} on a line that carries {@code series}. */
    private static double value(String body, String metric, String series) {
        for (String line : body.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains(series)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static String awaitScrape(int port, Predicate<String> until) throws Exception {
        return Await.until(WAIT, () -> {
            try {
                return scrape(port);
            } catch (java.io.IOException notYet) {
                return notYet.toString(); // the exporter is not listening yet
            }
        }, until::test, body -> "the OTel Prometheus exporter never showed what was expected; last scrape:\n" + body);
    }

    private static String scrape(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    // --- shared ---

    /**
     * No error line and no stack trace from either agent (nor the program). A churn warning is a verdict,
     * not an error (a critical one is an ERROR line; so are kernel-sourced ones about other processes).
     */
    private static void assertNoErrors(ForkedJvm jvm, String order) throws Exception {
        Pattern stackLine = Pattern.compile("^\\s+at [\\w.$/]+\\(.*\\)$");
        List<String> bad = jvm.allLines().stream()
                .filter(l -> (l.contains(" ERROR ") && !l.contains(" event=churn_warning ")) || l.contains("event=agent_error") || l.contains("Exception in thread")
                        || stackLine.matcher(l).matches())
                .collect(Collectors.toList());
        assertTrue(bad.isEmpty(), () -> order + ": errors or stack traces: " + bad + jvm.output());
    }

    /**
     * Sends {@code command} ({@code churn N} or {@code pooled N}), waits for its {@code done} line, asserts
     * every request succeeded and returns the line's {@code traced} and {@code per_s} figures.
     */
    private static int[] command(ForkedJvm jvm, String command) throws Exception {
        String prefix = "done " + command + " ";
        long before = jvm.stdout().lines().filter(l -> l.startsWith(prefix)).count();
        jvm.send(command);
        awaitTrue(() -> jvm.stdout().lines().filter(l -> l.startsWith(prefix)).count() > before, "'" + command + "' done", jvm);
        String done = jvm.stdout().lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElseThrow();
        Matcher m = Pattern.compile("ok=(\\d+) traced=(\\d+) per_s=(\\d+)").matcher(done);
        assertTrue(m.find(), done);
        int n = Integer.parseInt(command.split(" ")[1]);
        assertEquals(n, Integer.parseInt(m.group(1)), () -> "every request succeeded" + jvm.output());
        return new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, String what, ForkedJvm jvm) throws Exception {
        Await.until(WAIT, check::ok, () -> what + jvm.output());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
