package io.churnagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's {@code prometheus} package) for one test: on a free port, bound to
 * 127.0.0.1 only, with its own storage in a temporary directory, scraping {@code target} every
 * second and evaluating {@code rules} every second; stopped (and its storage deleted) by
 * {@link #close()}. A missing binary fails the test with the command that installs it
 * ({@code .ci/run} does): the shipped rules are tested, not skipped.
 */
final class PrometheusServer implements AutoCloseable {

    static final Path PROMETHEUS = Paths.get("/usr/bin/prometheus");
    static final Path PROMTOOL = Paths.get("/usr/bin/promtool");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.base = "http://127.0.0.1:" + port;
    }

    static void requireInstalled() {
        for (Path binary : List.of(PROMETHEUS, PROMTOOL)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is not installed: apt-get install -y --no-install-recommends "
                        + "prometheus (.ci/run does it on a fresh machine)");
            }
        }
    }

    /** Starts Prometheus scraping {@code 127.0.0.1:<targetPort>} as job {@code job} with {@code rules} loaded. */
    static PrometheusServer start(String job, int targetPort, String rules) throws Exception {
        requireInstalled();
        Path dir = Files.createTempDirectory("churn-it-prometheus");
        Files.writeString(dir.resolve("rules.yml"), rules);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        // it scrapes itself too, for prometheus_rule_group_iterations_total
        Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - rules.yml",
                "scrape_configs:",
                "  - job_name: " + job,
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + targetPort + "']",
                "  - job_name: prometheus",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + port + "']",
                ""));
        Process p = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(p, dir, port);
        try {
            Await.until(Duration.ofSeconds(30), () -> !p.isAlive() || server.ready(),
                    () -> "prometheus ready on 127.0.0.1:" + port);
            if (p.isAlive()) {
                return server;
            }
        } catch (AssertionError timedOut) {
            // said below, with the log
        }
        String log = server.log();
        server.close();
        throw new AssertionError("prometheus did not become ready on 127.0.0.1:" + port + " within 30 s:\n" + log);
    }

    private boolean ready() throws Exception {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (java.io.IOException notYet) {
            return false; // not listening yet
        }
    }

    /** The instant query's result vector ({@code data.result}); fails unless the status is success. */
    JsonNode query(String promql) throws Exception {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("query " + promql + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
        return body.path("data").path("result");
    }

    /** Polls {@code promql} until its result is not empty; fails with {@code why} after {@code timeout}. */
    JsonNode await(String promql, Duration timeout, String why) throws Exception {
        return Await.until(timeout, () -> query(promql), result -> !result.isEmpty(), last -> {
            try {
                return why + ": " + promql + " stayed empty; firing or pending alerts: " + query("ALERTS")
                        + "\nprometheus log:\n" + log();
            } catch (Exception e) {
                return why + ": " + promql + " stayed empty (" + e + ")";
            }
        });
    }

    /** Rule group evaluations so far (for "after this many evaluations, still nothing"). */
    long evaluations() throws Exception {
        JsonNode r = query("sum(prometheus_rule_group_iterations_total)");
        return r.isEmpty() ? 0 : (long) Double.parseDouble(r.get(0).path("value").get(1).asText());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
