package io.churnagent.junit;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The extension reaches into the agent through its API only ({@code io.churnagent.InProcessAgent} and
 * the value types of {@code io.churnagent.api}), never the model, the kernel readers or the
 * formatters: read by {@code jdeps} from the compiled classes.
 */
class AgentApiBoundaryTest {

    @Test
    void theExtensionUsesTheAgentsApiOnly() throws Exception {
        String classes = Paths.get(ChurnExtension.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:class",
                "-e", "io\\.churnagent\\..*", classes);
        assertEquals(0, status, out::toString);
        TreeSet<String> used = new TreeSet<>();
        List<String> outside = new ArrayList<>();
        for (String line : out.toString().split("\\R")) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 3 || !words[1].equals("->") || !words[0].startsWith("io.churnagent.junit.")) {
                continue;
            }
            String target = words[2];
            used.add(target);
            if (!target.equals("io.churnagent.InProcessAgent") && !target.startsWith("io.churnagent.api.")) {
                outside.add(words[0] + " -> " + target);
            }
        }
        assertTrue(used.contains("io.churnagent.InProcessAgent") && used.contains("io.churnagent.api.ChurnObserver"),
                () -> "jdeps' output was read: " + out);
        assertEquals(List.of(), outside, "churn-junit may use InProcessAgent and io.churnagent.api only");
    }
}
