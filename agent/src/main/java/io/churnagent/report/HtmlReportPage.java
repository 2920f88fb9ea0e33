package io.churnagent.report;

import io.churnagent.log.LogEvent;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.DestinationSites;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Supplier;

/**
 * The running agent's HTML report: {@link HtmlReport} of its {@link ChurnHistory}, the reporter's latest
 * verdicts and the sampled call sites; {@link #get()} is the live page (the {@code LiveReport} MBean's
 * {@code Html}), {@link #writeAtExit} the one {@code report.html=FILE} writes. Thread-safe (what it
 * reads is), and writing the file never throws.
 */
public final class HtmlReportPage implements Supplier<String> {

    private final ChurnHistory history;
    private final Supplier<List<DestinationVerdict>> verdicts;
    private final DestinationSites sites;
    private final int top;
    private final String version;
    private final String jvm;
    private final double warnRatio;
    private final double criticalRatio;

    /** @param verdicts the latest verdicts ({@code Reporter.latest()}) */
    public HtmlReportPage(ChurnHistory history, Supplier<List<DestinationVerdict>> verdicts, DestinationSites sites,
                          int top, String version, String jvm, double warnRatio, double criticalRatio) {
        this.history = history;
        this.verdicts = verdicts;
        this.sites = sites;
        this.top = top;
        this.version = version;
        this.jvm = jvm;
        this.warnRatio = warnRatio;
        this.criticalRatio = criticalRatio;
    }

    /** The live page. */
    @Override
    public String get() {
        return render("live");
    }

    String render(String reason) {
        return HtmlReport.render(new HtmlReport.Header(version, jvm, System.currentTimeMillis(), warnRatio, criticalRatio,
                reason), history.snapshot(), verdicts.get(), sites, top);
    }

    /**
     * Writes the page as of now to {@code file} (replacing it) and logs one line saying where, or one
     * {@code event=agent_error where=html_report} line saying why not; never throws.
     */
    public void writeAtExit(String file, Logger log) {
        String target = file;
        try {
            Path path = Paths.get(file).toAbsolutePath();
            target = path.toString();
            byte[] page = render("exit").getBytes(StandardCharsets.UTF_8);
            Files.write(path, page);
            log.info("{}", LogEvent.of("html_report_written").add("file", target).add("bytes", page.length)
                    .add("destinations", Math.min(verdicts.get().size(), Math.min(top, ChurnHistory.MAX_DESTINATIONS))));
        } catch (Throwable t) {
            try {
                log.error("{}", LogEvent.of("agent_error").add("where", "html_report").add("file", target)
                        .error(t).remark("(report.html: the page was not written; the application is not affected)"));
            } catch (Throwable ignored) {
                // the log itself failed at exit: nothing left to tell
            }
        }
    }

    /** A Runnable for the shutdown report: writes the page to {@code file}. */
    public Runnable atExit(String file, Logger log) {
        return new WriteAtExit(this, file, log);
    }

    /** A named class, not a lambda: it first runs at JVM exit (see {@link FirstUse}). */
    private static final class WriteAtExit implements Runnable {
        private final HtmlReportPage page;
        private final String file;
        private final Logger log;

        WriteAtExit(HtmlReportPage page, String file, Logger log) {
            this.page = page;
            this.file = file;
            this.log = log;
        }

        @Override
        public void run() {
            page.writeAtExit(file, log);
        }
    }
}
