package io.churnagent.it;

import io.churnagent.it.programs.HtmlReportChurn;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HTML report, both ways: {@code report.html=FILE} at JVM exit and {@code report <pid> --html FILE}
 * while the program runs; then Debian's real Chromium renders each page headless, and the screenshot
 * and the rendered DOM are checked: the page is drawn, the capacity line is a long solid run of its
 * red, the series are there in their colours, and the destination and its call site are in the text.
 * A missing {@code /usr/bin/chromium} fails the test (it is part of the promise that the page renders).
 */
@Isolated("the page lists the destinations the agent knows, and the kernel fallback would add a neighbour's churn; "
        + "the live report is read over JMX on loopback, so the program cannot run in a PrivateNetwork")
class HtmlReportIT {

    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    /**
     * The program churns at this rate against a capacity of 200 (100 ports at warn.ratio 0.5, 1.7
     * closes/s: a fifth of its paced 8/s) until the test stops it, at most this long.
     */
    private static final int SECONDS = 60;
    private static final int PER_SECOND = 8;

    /** {@code HtmlReport}'s colours (the agent's classes are not on this class path: the real jar is). */
    private static final int CAPACITY = 0xe0001b;
    private static final int CONNECTS = 0x1e88e5;
    private static final int CLOSES = 0xf57c00;
    private static final int PROJECTED = 0x7b1fa2;
    private static final int OBSERVED = 0x2e7d32;

    private static ForkedJvm cli(Path jdk, String... args) {
        return new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), args);
    }

    @OnEachJdk
    void thePageIsWrittenAtExitAndOnRequestAndChromiumRendersItsChartsAndCallSites(Path jdk, @TempDir Path dir)
            throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            fail(CHROMIUM + " is missing: this test renders the page in a real browser; install it with "
                    + "'apt-get install -y --no-install-recommends chromium' (.ci/run does)");
        }
        long started = System.nanoTime();
        Path atExit = dir.resolve("at-exit.html");
        Path live = dir.resolve("live.html");
        ForkedJvm app = new ForkedJvm(jdk)
                .withAgent("capacity=200,report.interval=off,report.html=" + atExit)
                .mainClass(HtmlReportChurn.class, Integer.toString(SECONDS), Integer.toString(PER_SECOND));
        app.start();
        String destination;
        try {
            destination = app.awaitReady(Duration.ofSeconds(30));
            app.awaitLine(l -> l.contains("event=churn_warning") && l.contains("destination=" + destination),
                    Duration.ofSeconds(20));
            String pid = Long.toString(app.pid());
            // the positive event, instead of a fixed wait: the live page holds 4 samples (one per 2 s), two of
            // them with the kernel's observed TIME_WAIT (see OBSERVED_POINTS)
            ForkedJvm report = Await.until(Duration.ofSeconds(40), () -> {
                ForkedJvm r = cli(jdk, "report", pid, "--html", live.toString());
                assertEquals(0, r.run(Duration.ofSeconds(60)), r::stderr);
                return r;
            }, r -> samples(read(live)) >= 4 && observedPoints(read(live)) >= OBSERVED_POINTS,
                    r -> "a live page with " + OBSERVED_POINTS + " samples of the kernel's TIME_WAIT: " + read(live)
                            + app.output());

            ForkedJvm noFile = cli(jdk, "report", pid, "--html");
            assertEquals(2, noFile.run(Duration.ofSeconds(60)), noFile::stderr);
            assertTrue(noFile.stderr().contains("--html needs the file to write"), noFile::stderr);
            Path nowhere = dir.resolve("no-such-dir/page.html");
            ForkedJvm unwritable = cli(jdk, "report", pid, "--html", nowhere.toString());
            assertEquals(14, unwritable.run(Duration.ofSeconds(60)), unwritable::stderr);
            assertEquals("churn-agent: cannot write the HTML report to " + nowhere + ": the directory "
                    + nowhere.getParent() + " does not exist", unwritable.stderr().strip());

            List<String> said = report.stdout().lines().collect(java.util.stream.Collectors.toList());
            assertEquals(1, said.size(), report::stdout);
            assertTrue(said.get(0).startsWith("churn-agent: wrote the HTML report of " + pid + " (")
                    && said.get(0).contains(") to " + live + " ("), said.get(0));
            assertTrue(app.stdout().lines().noneMatch(l -> l.startsWith("churned")), "the page came while it ran");
            app.send("stop");

            assertEquals(0, app.waitFor(Duration.ofSeconds(60)), () -> app.output());
        } finally {
            app.kill();
        }
        String written = app.awaitLine(l -> l.contains("event=html_report_written"), Duration.ofSeconds(5));
        assertEquals(atExit.toString(), AgentEvent.parse(written).get("file"), written);
        assertTrue(Files.size(atExit) > 0 && Files.size(live) > 0);
        assertTrue(app.stderr().lines().noneMatch(l -> l.contains("event=agent_error")), app::stderr);

        int feature = Jdks.featureVersion(jdk);
        long pageBytes = 0;
        for (Path page : List.of(live, atExit)) {
            String html = Files.readString(page, StandardCharsets.UTF_8);
            String lower = html.toLowerCase(Locale.ROOT);
            assertFalse(lower.contains("http://") || lower.contains("https://"), "no URL in " + page);
            assertFalse(lower.contains("<script"), "no script in " + page);
            pageBytes = Math.max(pageBytes, html.getBytes(StandardCharsets.UTF_8).length);

            Path png = dir.resolve(page.getFileName() + ".png");
            render(dir, page, "--screenshot=" + png);
            checkScreenshot(ImageIO.read(png.toFile()), page, html);
            String dom = render(dir, page, "--dump-dom");
            assertTrue(dom.contains(destination), () -> "the destination in the rendered text: " + dom);
            assertTrue(dom.contains("capacity 200"), dom);
            assertTrue(dom.contains("io.churnagent.it.programs.HtmlReportChurn.fetchPrice(HtmlReportChurn.java:"),
                    () -> "the call site: " + dom);
            assertTrue(dom.contains("at io.churnagent.it.programs.HtmlReportChurn.main(HtmlReportChurn.java:"),
                    () -> "its stack: " + dom);
            Matcher samples = Pattern.compile("(\\d+) samples, ").matcher(dom);
            assertTrue(samples.find() && Integer.parseInt(samples.group(1)) >= 4, () -> "samples: " + dom);
            if (page == atExit) {
                assertTrue(dom.contains("(at JVM exit)"), dom);
                Path kept = Paths.get(System.getProperty("churn.test.classes")).getParent()
                        .resolve("html-report-jdk" + feature + ".png");
                Files.copy(png, kept, StandardCopyOption.REPLACE_EXISTING);
            } else {
                assertTrue(dom.contains("(live)"), dom);
                Files.copy(png, Paths.get(System.getProperty("churn.test.classes")).getParent()
                        .resolve("html-report-live-jdk" + feature + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.printf(Locale.ROOT, "HtmlReportIT on JDK %d: %.1f s, largest page %d bytes (1 destination)%n",
                feature, (System.nanoTime() - started) / 1e9, pageBytes);
    }

    /** Runs headless Chromium on {@code page} with {@code action} and returns its stdout (the DOM for --dump-dom). */
    private static String render(Path dir, Path page, String action) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        Path out = dir.resolve("chromium-out.txt");
        Path err = dir.resolve("chromium-err.txt");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1200,1600", action,
                page.toUri().toString()));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("chromium did not finish within 120 s: " + command + "\n" + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), () -> command + "\n" + read(err));
        return read(out);
    }

    /**
     * Samples of the observed TIME_WAIT series the test waits for: the kernel's table is read around a
     * warning (the first one, the rise to critical), so they come as dots or short lines, and one dot
     * alone (some 30 pixels) is too small to tell from nothing in the screenshot.
     */
    private static final int OBSERVED_POINTS = 2;

    /** The samples of the observed TIME_WAIT series in {@code html}: its lines' points and its dots (drawn in its colour). */
    private static int observedPoints(String html) {
        String colour = String.format("\"#%06x\"", OBSERVED);
        Matcher lines = Pattern.compile("<polyline [^>]*stroke=" + colour + "[^>]* points=\"([^\"]*)\"").matcher(html);
        int points = 0;
        while (lines.find()) {
            points += lines.group(1).trim().split(" ").length;
        }
        Matcher dots = Pattern.compile("<circle [^>]*fill=" + colour).matcher(html);
        while (dots.find()) {
            points++;
        }
        return points;
    }

    /** The number of samples the page says it holds ({@code N samples, }), or 0. */
    private static int samples(String html) {
        Matcher m = Pattern.compile("(\\d+) samples, ").matcher(html);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * Checks the screenshot of {@code page} ({@code html} its source): drawn, the capacity line a long run
     * of its red, and each series' colour inside the charts' plot band (found from the capacity line's
     * row in the picture and its {@code y1} in the page: the legends above the band do not count).
     */
    private static void checkScreenshot(BufferedImage image, Path page, String html) {
        assertEquals(1200, image.getWidth(), page::toString);
        int w = image.getWidth();
        int h = image.getHeight();
        long ink = 0;
        Set<Integer> colours = new HashSet<>();
        int longestCapacityRun = 0;
        int capacityRow = -1;
        for (int y = 0; y < h; y++) {
            int run = 0;
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (distance(rgb, 0xffffff) > 60) {
                    ink++;
                }
                colours.add(rgb);
                run = distance(rgb, CAPACITY) <= 24 ? run + 1 : 0;
                if (run > longestCapacityRun) {
                    longestCapacityRun = run;
                    capacityRow = y;
                }
            }
        }
        long total = (long) w * h;
        long inkNow = ink;
        assertTrue(inkNow > total / 100, () -> page + " looks blank: " + inkNow + " of " + total + " pixels drawn");
        assertTrue(colours.size() > 50, () -> page + " has only " + colours.size() + " colours");
        int run = longestCapacityRun;
        assertTrue(run >= 300, () -> page + ": the capacity line, a solid horizontal run of its red, is " + run + " px");

        Matcher line = Pattern.compile("<line class=\"capacity\" x1=\"\\d+\" y1=\"(\\d+)\"").matcher(html);
        assertTrue(line.find(), "the capacity line in the page");
        int svgTop = capacityRow - Integer.parseInt(line.group(1));
        int bandTop = svgTop + 34 - 3; // HtmlReport's plot area: from TOP = 34 to CHART_HEIGHT - BOTTOM = 210
        int bandBottom = Math.min(h - 1, svgTop + 210 + 3);
        int[] seriesColours = {CONNECTS, CLOSES, PROJECTED, OBSERVED};
        long[] series = new long[seriesColours.length];
        for (int y = Math.max(0, bandTop); y <= bandBottom; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                for (int i = 0; i < seriesColours.length; i++) {
                    if (distance(rgb, seriesColours[i]) <= 24) {
                        series[i]++;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s: capacity run %d px at row %d; series pixels connects %d, closes %d, "
                + "projected %d, observed %d%n", page.getFileName(), run, capacityRow, series[0], series[1], series[2],
                series[3]);
        String[] names = {"connects/s", "closes/s", "projected TIME_WAIT", "observed TIME_WAIT"};
        for (int i = 0; i < names.length; i++) {
            long n = series[i];
            String name = names[i];
            // a line of a few samples is some 100 pixels long (the connects line shows at the edges of the closes
            // line drawn over it); no other element of the band has these colours
            assertTrue(n >= 40, () -> page + ": the " + name + " series has " + n + " pixels of its colour in the charts");
        }
    }

    /** The largest difference of the three channels. */
    private static int distance(int a, int b) {
        int dr = Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff));
        int dg = Math.abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff));
        int db = Math.abs((a & 0xff) - (b & 0xff));
        return Math.max(dr, Math.max(dg, db));
    }
}
