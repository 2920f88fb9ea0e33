package io.churnagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Deterministic fuzzing: a fixed seed, so a failure reproduces and names its input. */
class OptionsParserFuzzTest {

    private static final String[] PIECES = {
        "=", ",", ";", ".", " ", "\t", "\u00e9", "\u0000", "0", "1", "2", "5", "9", "-", "ms", "s", "m", "h", "off",
        "\n", "\uD83D\uDE00", "\uD83D", "x", "CHURN_", "churn.",
        "warn.ratio", "critical.ratio", "warn.interval", "report.interval", "evaluate.interval", "log.file",
        "log.level", "destinations.max", "report.top", "capacity", "egress", "aws-nat", "gcp-cloud-nat:32", "ports:10,time_wait:5", "enabled", "info", "true",
    };

    private static String randomText(Random random, int maxPieces) {
        int n = random.nextInt(maxPieces + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    /** Half pure noise, half key=value pairs with noisy values, so that valid options occur too. */
    private static String randomAgentArguments(Random random) {
        if (random.nextBoolean()) {
            return randomText(random, 24);
        }
        java.util.List<Option<?>> keys = Option.all();
        StringBuilder sb = new StringBuilder();
        int pairs = 1 + random.nextInt(4);
        for (int i = 0; i < pairs; i++) {
            if (i > 0) {
                sb.append(random.nextInt(8) == 0 ? randomText(random, 2) : ",");
            }
            sb.append(random.nextInt(8) == 0 ? randomText(random, 2) : keys.get(random.nextInt(keys.size())).key());
            sb.append(random.nextInt(8) == 0 ? randomText(random, 1) : "=");
            sb.append(randomText(random, 3));
        }
        return sb.toString();
    }

    @Test
    void randomAgentArgumentsNeverThrowAndNothingChangesSilently() {
        Random random = new Random(20240611L);
        int withProblems = 0;
        int clean = 0;
        int withChanges = 0;
        for (int i = 0; i < 5_000; i++) {
            String agentArgs = randomAgentArguments(random);
            Map<String, String> props = new HashMap<>();
            if (random.nextInt(4) == 0) {
                props.put("churn." + randomText(random, 2), randomText(random, 4));
            }
            Map<String, String> env = new HashMap<>();
            if (random.nextInt(4) == 0) {
                env.put("CHURN_" + randomText(random, 2), randomText(random, 4));
            }

            ParseResult r = OptionsParser.parse(agentArgs, props, env);

            String input = agentArgs + " | " + props + " | " + env;
            assertNotNull(r.options(), input);
            assertNotNull(r.problems(), input);
            assertTrue(r.problems().size() <= OptionsParser.MAX_PROBLEMS + 1, input);
            for (String p : r.problems()) {
                assertNotNull(p, input);
                assertFalse(p.isEmpty(), input);
                OptionsParserTest.assertNoControlCharacters(p);
            }
            AgentOptions defaults = AgentOptions.defaults();
            for (Option<?> k : Option.all()) {
                if (!defaults.valueText(k).equals(r.options().valueText(k))) {
                    withChanges++;
                    // Anything that moved off its default was asked for by name somewhere.
                    assertTrue(agentArgs.contains(k.key()) || props.containsKey(k.propertyName())
                            || env.containsKey(k.environmentName()), k.key() + " changed for " + input);
                }
            }
            if (!r.problems().isEmpty()) {
                withProblems++;
            } else {
                clean++;
                // Clean input must describe itself back to the same options.
                // (pair by pair: describe() separates with spaces, and a log.file value may hold one)
                StringBuilder back = new StringBuilder();
                for (Option<?> k : Option.all()) {
                    back.append(k.key()).append('=').append(r.options().valueText(k)).append(',');
                }
                assertEquals(r.options(), OptionsParser.parse(back.toString(), null, null).options(), input);
            }
        }
        // The generator must exercise both paths, or the loop proves nothing.
        assertTrue(withProblems > 1_000, "problems in " + withProblems + " runs");
        assertTrue(clean > 50, "no problems in " + clean + " runs");
        assertTrue(withChanges > 250, "changed options in " + withChanges + " runs");
    }

    @Test
    void everyRandomValueIsEitherAppliedOrReportedAndDefaulted() {
        Random random = new Random(7L);
        int applied = 0;
        int rejected = 0;
        java.util.List<Option<?>> keys = Option.all();
        for (int i = 0; i < 5_000; i++) {
            Option<?> key = keys.get(random.nextInt(keys.size()));
            String value = randomText(random, 4);
            ParseResult r = OptionsParser.parse(null, Map.of(key.propertyName(), value), null);
            String input = key.propertyName() + "=" + value;
            if (r.problems().isEmpty()) {
                applied++;
                Object expected = key.parse(value);
                assertNotNull(expected, "accepted without a problem but not convertible: " + input);
                assertEquals(key.formatValue(expected), r.options().valueText(key), input);
            } else {
                rejected++;
                List<String> problems = r.problems();
                assertEquals(1, problems.size(), input + " -> " + problems);
                assertTrue(problems.get(0).contains(key.key()), input + " -> " + problems);
                assertTrue(problems.get(0).contains("using the default"), input + " -> " + problems);
                assertEquals(AgentOptions.defaults(), r.options(), input);
            }
        }
        assertTrue(applied > 100, "applied " + applied);
        assertTrue(rejected > 1_000, "rejected " + rejected);
    }
}
