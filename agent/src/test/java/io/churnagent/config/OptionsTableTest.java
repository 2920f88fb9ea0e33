package io.churnagent.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The options table of docs/OPTIONS.md lists exactly the options {@link Option#all()} has, in the same order,
 * with the same defaults: a new option, a renamed key or a changed default fails here until the
 * table says so. (The table's form and meaning columns are longer prose than {@link Option#form()}
 * and {@link Option#description()}, so they are not compared word for word.)
 */
class OptionsTableTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\| ([^|]+?) \\|");

    @Test
    void theOptionsPageTableHasEveryOptionWithItsDefaultInOrder() throws Exception {
        Path readme = Paths.get("..", "docs", "OPTIONS.md");
        assertTrue(Files.isRegularFile(readme), readme.toAbsolutePath()::toString);
        List<String> lines = Files.readAllLines(readme);
        int start = lines.indexOf("# Options");
        assertTrue(start >= 0, "docs/OPTIONS.md starts with # Options");
        List<String> rows = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            Matcher m = ROW.matcher(lines.get(i));
            if (m.find()) {
                rows.add(m.group(1) + " = " + m.group(2));
            }
        }
        List<String> expected = Option.all().stream().map(o -> o.key() + " = " + o.defaultValue())
                .collect(Collectors.toList());
        assertEquals(String.join("\n", expected), String.join("\n", rows),
                "docs/OPTIONS.md: one row per option, `key` | default | form | what it does, in this order");
    }
}
