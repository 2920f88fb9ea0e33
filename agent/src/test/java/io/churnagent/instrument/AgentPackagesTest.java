package io.churnagent.instrument;

import io.churnagent.churn.ApplicationFrames;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every class the agent ships is known as the agent's by both lists that must know it: the
 * instrumentation leaves it alone ({@link AgentClasses}) and a stack never names it as the
 * application's line ({@link ApplicationFrames}). A new package or root class fails here until both
 * lists have it.
 */
class AgentPackagesTest {

    @Test
    void everyCompiledAgentClassIsTheAgentsInBothLists() throws Exception {
        Path classes = Paths.get(AgentClasses.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> files = Files.walk(classes.resolve("io/churnagent"))) {
            names = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .collect(Collectors.toList());
        }
        assertTrue(names.size() > 100, () -> "the agent's classes under " + classes + ": " + names.size());
        List<String> missed = names.stream()
                .filter(n -> !AgentClasses.isAgent(n) || ApplicationFrames.isApplication(n))
                .collect(Collectors.toList());
        assertEquals(List.of(), missed, "classes that one list or the other does not know as the agent's");
        assertTrue(ApplicationFrames.isApplication("io.churnagent.demo.Gateway"), "the demo is an application");
        assertTrue(!AgentClasses.isAgent("io.churnagent.demo.Gateway"), "the demo is instrumented");
    }
}
