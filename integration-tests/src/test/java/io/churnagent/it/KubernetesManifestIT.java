package io.churnagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnagent.it.programs.ContainerChurn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pod recipe of {@code deploy/kubernetes/churn-agent-deployment.yaml}: an init container copies
 * the jar into an emptyDir, the application's container mounts it and loads it with
 * JAVA_TOOL_OPTIONS. Its image-free parts are checked as YAML, then its environment is run for
 * real: the agent starts from JAVA_TOOL_OPTIONS with the manifest's options, the JVM's "Picked up"
 * line is the only other line on stderr, and the command line run in that same environment (as with
 * {@code kubectl exec}) is not watched by the agent and answers as usual.
 */
class KubernetesManifestIT {

    private static final Path MANIFEST = Paths.get("..", "deploy", "kubernetes", "churn-agent-deployment.yaml");

    /** The pod template's spec of the manifest's Deployment. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec() throws Exception {
        try (Reader in = Files.newBufferedReader(MANIFEST)) {
            Map<String, Object> deployment = new Yaml().load(in);
            assertEquals("Deployment", deployment.get("kind"));
            Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
            return (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        Object value = map.get(key);
        assertNotNull(value, () -> key + " in " + map);
        return (List<Map<String, Object>>) value;
    }

    private static Map<String, Object> named(List<Map<String, Object>> items, String name) {
        return items.stream().filter(i -> name.equals(i.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + items));
    }

    /** The application container's environment, in order. */
    private static Map<String, String> appEnvironment() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : list(named(list(podSpec(), "containers"), "app"), "env")) {
            env.put((String) e.get("name"), String.valueOf(e.get("value")));
        }
        return env;
    }

    @Test
    void theInitContainerFillsAVolumeTheAppMountsAndLoadsThroughJavaToolOptions() throws Exception {
        Map<String, Object> pod = podSpec();
        Map<String, Object> volume = named(list(pod, "volumes"), "churn-agent");
        assertTrue(volume.containsKey("emptyDir"), () -> "a volume that lives with the pod: " + volume);

        Map<String, Object> init = named(list(pod, "initContainers"), "churn-agent-copy");
        Map<String, Object> initMount = named(list(init, "volumeMounts"), "churn-agent");
        assertEquals("/churn", initMount.get("mountPath"));
        assertTrue(!Boolean.TRUE.equals(initMount.get("readOnly")), "the init container writes the volume");
        assertEquals(List.of("cp", "/churn-agent.jar", "/churn/churn-agent.jar"), init.get("command"));

        Map<String, Object> app = named(list(pod, "containers"), "app");
        Map<String, Object> appMount = named(list(app, "volumeMounts"), "churn-agent");
        assertEquals("/churn", appMount.get("mountPath"));
        assertEquals(Boolean.TRUE, appMount.get("readOnly"));

        String options = appEnvironment().get("JAVA_TOOL_OPTIONS");
        assertTrue(options.startsWith("-javaagent:/churn/churn-agent.jar="), options);
        Map<String, String> env = appEnvironment();
        assertTrue(env.keySet().stream().filter(k -> !k.equals("JAVA_TOOL_OPTIONS")).allMatch(k -> k.startsWith("CHURN_")),
                () -> "the other variables are agent options: " + env);
    }

    /**
     * The manifest's environment on a real JVM: only the jar's directory differs (a temporary one
     * stands in for the volume at /churn), plus {@code CHURN_WARN_RATIO=0.05} so that the warning
     * needs 2.7 closes/s (0.05 × 64,512 / 10 ports / 120 s) of the program's 50.
     */
    @OnEachJdk
    void theManifestsEnvironmentLoadsTheAgentAndThePickedUpLineIsNoError(Path jdk, @TempDir Path volume)
            throws Exception {
        Path jar = Files.copy(ForkedJvm.agentJar(), volume.resolve("churn-agent.jar"));
        Map<String, String> env = appEnvironment();
        String toolOptions = env.get("JAVA_TOOL_OPTIONS").replace("/churn/churn-agent.jar", jar.toString());
        ForkedJvm app = new ForkedJvm(jdk).mainClass(ContainerChurn.class, "50").env("CHURN_WARN_RATIO", "0.05");
        env.forEach((k, v) -> app.env(k, k.equals("JAVA_TOOL_OPTIONS") ? toolOptions : v));
        try (ForkedJvm running = app.start()) {
            String destination = running.awaitReady(Duration.ofSeconds(30));
            ObjectMapper json = new ObjectMapper();
            String warningLine = running.awaitLine(l -> l.startsWith("{") && l.contains("\"churn_warning\"")
                    && l.contains(destination), Duration.ofSeconds(30));
            JsonNode warning = json.readTree(warningLine);
            assertEquals("k8s-snat", warning.get("limit").asText(), warningLine);
            assertEquals(64_512 / 10, warning.get("capacity").asInt(), warningLine);
            double needed = 0.05 * (64_512 / 10) / 120;
            assertTrue(warning.get("closes_per_s").asDouble() >= 4 * needed, () -> "reached at least 4 times the "
                    + needed + " closes/s needed: " + warningLine);

            List<String> stderr = running.stderr().lines().collect(Collectors.toList());
            assertEquals("Picked up JAVA_TOOL_OPTIONS: " + toolOptions, stderr.get(0), running::stderr);
            List<JsonNode> events = new ArrayList<>();
            for (String line : stderr.subList(1, stderr.size())) {
                assertTrue(line.startsWith("{"), () -> "after the JVM's own line only the agent's JSON lines: " + line);
                events.add(json.readTree(line));
            }
            JsonNode started = events.stream().filter(e -> "agent_started".equals(e.get("event").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError(running.stderr()));
            assertEquals("premain", started.get("how").asText());
            assertTrue(started.toString().contains("report.interval=300s"), () -> "CHURN_REPORT_INTERVAL=5m: " + started);
            assertTrue(events.stream().map(e -> e.get("event").asText())
                    .noneMatch(e -> e.equals("agent_option_error") || e.equals("agent_error")), running::stderr);

            // kubectl exec into the pod: the CLI's JVM picks up JAVA_TOOL_OPTIONS too
            for (List<String> command : List.of(List.of("list"), List.of("report", Long.toString(running.pid())))) {
                ForkedJvm cli = new ForkedJvm(jdk).env("JAVA_TOOL_OPTIONS", toolOptions)
                        .jar(jar, command.toArray(new String[0]));
                assertEquals(0, cli.run(Duration.ofSeconds(90)), cli::stderr);
                assertEquals(List.of("Picked up JAVA_TOOL_OPTIONS: " + toolOptions),
                        cli.stderr().lines().collect(Collectors.toList()),
                        "the agent does not start inside its own command line");
                assertTrue(command.get(0).equals("list") ? cli.stdout().contains(running.pid() + " ")
                        : cli.stdout().contains("destination=" + destination), cli::stdout);
            }
        }
    }
}
