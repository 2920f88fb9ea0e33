package io.churnagent.log;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every line the agent logs is a {@link LogEvent} ({@code log.info("{}", event)}), so that one
 * writer per format renders it: no SLF4J format string builds a line by hand (whose values would
 * go unescaped into it), and JSON mode never has to parse text back.
 */
class LogCallsTest {

    private static final Pattern CALL = Pattern.compile("\\b(\\w+)\\.(trace|debug|info|warn|error)\\(");

    @Test
    void everyLogCallOfTheAgentLogsOneLogEvent() throws Exception {
        Path sources = Paths.get("src/main/java/io/churnagent");
        assertTrue(Files.isDirectory(sources), sources.toAbsolutePath()::toString);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        List<String> calls = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = CALL.matcher(lines.get(i));
                while (m.find()) {
                    String receiver = m.group(1);
                    if (!receiver.toLowerCase(java.util.Locale.ROOT).endsWith("log")
                            && !receiver.toLowerCase(java.util.Locale.ROOT).endsWith("logger")) {
                        continue; // not a logger (shape.info(), ...)
                    }
                    String where = sources.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim();
                    calls.add(where);
                    if (!lines.get(i).startsWith("\"{}\", ", m.end())) {
                        wrong.add(where);
                    }
                }
            }
        }
        assertTrue(calls.size() >= 40, () -> "the scan finds the agent's log calls: " + calls);
        assertEquals(List.of(), wrong, "log calls that are not log.x(\"{}\", LogEvent)");
    }
}
