package io.churnagent.report;

import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code report.html=FILE} at exit: the page, or one clear error line, and never an exception. */
class HtmlReportPageTest {

    private final List<String> lines = new ArrayList<>();
    /** Records {@code LEVEL message} for info and error calls with arguments (as the agent logs). */
    private final Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
                if ((method.getName().equals("info") || method.getName().equals("error")) && args != null
                        && args.length >= 1 && args[0] instanceof String) {
                    Object[] rest = new Object[args.length - 1];
                    System.arraycopy(args, 1, rest, 0, rest.length);
                    if (rest.length == 1 && rest[0] instanceof Object[]) {
                        rest = (Object[]) rest[0];
                    }
                    lines.add(method.getName().toUpperCase() + " " + MessageFormatter.arrayFormat((String) args[0], rest).getMessage());
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    private final DestinationTable table = new DestinationTable(10);
    private final ChurnMonitor monitor = new ChurnMonitor(table, () -> 0L,
            new ModelSettings(200, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L));
    private final HtmlReportPage page = new HtmlReportPage(new ChurnHistory(10, null, () -> 0L, () -> 0L), () -> io.churnagent.churn.Judged.all(monitor.latest()),
            null, 10, "1.0", "pid 1", 0.5, 0.8);

    @Test
    void writesThePageAndSaysWhere(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("churn.html");
        page.atExit(file.toString(), log).run();
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("(at JVM exit)"), html);
        assertEquals(1, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("INFO event=html_report_written "), lines.get(0));
        assertEquals(java.util.Map.of("event", "html_report_written", "file", file.toString(),
                "bytes", Integer.toString(html.getBytes(StandardCharsets.UTF_8).length), "destinations", "0"),
                io.churnagent.log.LogfmtReader.parse(lines.get(0).substring("INFO ".length())));
    }

    @Test
    void anUnwritableFileIsOneErrorLineAndNoException(@TempDir Path dir) {
        Path file = dir.resolve("no/such/dir/churn.html");
        page.atExit(file.toString(), log).run();
        page.atExit("bad\u0000path", log).run();
        page.atExit(dir.toString(), log).run(); // a directory
        assertEquals(3, lines.size(), lines::toString);
        for (String line : lines) {
            assertTrue(line.startsWith("ERROR event=agent_error where=html_report file="), line);
            assertTrue(line.endsWith("(report.html: the page was not written; the application is not affected)"), line);
        }
        assertTrue(lines.get(0).contains("NoSuchFileException"), lines.get(0));
        assertFalse(Files.exists(file));
    }
}
