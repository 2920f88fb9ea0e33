package io.churnagent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Runs a program in a fresh JVM of a chosen JDK, optionally with the real shaded agent jar, and keeps
 * its stdout and stderr in files so that a test can read them while it runs and after it ends.
 */
public final class ForkedJvm implements AutoCloseable {

    /** The shaded agent jar built by the agent module. */
    public static Path agentJar() {
        return existing("churn.agent.jar");
    }

    /** The demo application's jar. */
    public static Path demoJar() {
        return existing("churn.demo.jar");
    }

    private static Path existing(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException(property + " is not set (run the tests through Maven)");
        }
        Path path = Paths.get(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(path + " does not exist: build it first (mvn verify builds everything)");
        }
        return path;
    }

    /** The test classpath minus the agent jar: the test programs and the libraries they use. */
    public static String programClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("churn-agent") && !entry.contains("surefire") && !entry.contains("failsafe"))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * The class path of the programs that run on Netty 4.2 (Lettuce needs it): the test programs'
     * classes and the jars the build copied to {@code churn.test.netty42}, instead of the Netty 4.1
     * of the test class path.
     */
    public static String netty42Classpath() {
        String dir = System.getProperty("churn.test.netty42");
        if (dir == null) {
            throw new IllegalStateException("churn.test.netty42 is not set (run the tests through Maven)");
        }
        List<String> entries = new ArrayList<>();
        entries.add(System.getProperty("churn.test.classes"));
        try (java.util.stream.Stream<Path> jars = Files.list(Paths.get(dir))) {
            jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(j -> entries.add(j.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(dir + " cannot be listed: build it first (mvn verify copies it)", e);
        }
        if (entries.size() < 10) {
            throw new IllegalStateException(dir + " lacks the Netty 4.2 jars: " + entries);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** JVMs started outside a test (none today): killed by {@link #killAllStarted()}. */
    private static final List<ForkedJvm> STARTED = java.util.Collections.synchronizedList(new ArrayList<>());
    /**
     * The JVMs the current test started ({@link KillForkedJvms} sets a list before each test and kills
     * what is on it after): tests run side by side, and one test's end must not kill another's JVMs.
     */
    private static final InheritableThreadLocal<List<ForkedJvm>> STARTED_BY_TEST = new InheritableThreadLocal<>();

    private final Path jdk;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> command = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private final List<String> prefix = new ArrayList<>();
    private Process process;
    private Path stdout;
    private Path stderr;

    public ForkedJvm(Path jdk) {
        this.jdk = jdk;
    }

    /** Adds {@code -javaagent:<jar>[=options]}. */
    public ForkedJvm withAgent(String options) {
        jvmArgs.add("-javaagent:" + agentJar() + (options == null || options.isEmpty() ? "" : "=" + options));
        return this;
    }

    public ForkedJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public ForkedJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the JVM under another command, e.g. {@code unshare -rn}. */
    public ForkedJvm wrappedIn(String... wrapper) {
        prefix.addAll(Arrays.asList(wrapper));
        return this;
    }

    /**
     * Runs the JVM in a private network namespace of its own ({@code unshare -rn}, loopback up): its
     * kernel socket table holds only its own sockets, whatever else the machine did in the last
     * minute (a benchmark leaves 100,000+ TIME_WAIT sockets in the host's table, which the agent
     * then reads less often) or does beside it (another test's churn, which the kernel fallback
     * would rightly warn about). See {@link PrivateNetwork}.
     */
    public ForkedJvm inPrivateNetwork() {
        return inPrivateNetwork(PrivateNetwork.loopbackOnly());
    }

    /** Runs the JVM in the private network namespace {@code network} describes (its port range, its tcp_tw_reuse). */
    public ForkedJvm inPrivateNetwork(PrivateNetwork network) {
        prefix.addAll(network.wrapper());
        return this;
    }

    /** The program: a main class on {@link #programClasspath()}. */
    public ForkedJvm mainClass(Class<?> main, String... args) {
        command.add("-cp");
        command.add(programClasspath());
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return this;
    }

    /** The program: a main class on {@code classpath} (for example {@link #netty42Classpath()}). */
    public ForkedJvm mainClassOn(String classpath, Class<?> main, String... args) {
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return this;
    }

    /** The program: a jar. */
    public ForkedJvm jar(Path jar, String... args) {
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(Arrays.asList(args));
        return this;
    }

    /** Starts the JVM. */
    public ForkedJvm start() throws IOException {
        List<String> full = new ArrayList<>(prefix);
        full.add(jdk.resolve("bin/java").toString());
        full.addAll(jvmArgs);
        full.addAll(command);
        stdout = Files.createTempFile("churn-it-out", ".log");
        stderr = Files.createTempFile("churn-it-err", ".log");
        ProcessBuilder pb = new ProcessBuilder(full)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CHURN_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().putAll(env);
        process = pb.start();
        List<ForkedJvm> owner = STARTED_BY_TEST.get();
        (owner != null ? owner : STARTED).add(this);
        return this;
    }

    /** Waits for the JVM to exit and returns its status; kills it and fails after {@code timeout}. */
    public int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the forked JVM did not exit within " + timeout + "; stdout:\n" + stdout()
                    + "\nstderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** Runs to the end and returns the exit status. */
    public int run(Duration timeout) throws Exception {
        start();
        return waitFor(timeout);
    }

    /** Waits until a line of stdout or stderr matches, or fails after {@code timeout}; returns the line. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws Exception {
        String line = Await.until(timeout, () -> firstLine(match), found -> found != null || !process.isAlive(),
                last -> "no matching line" + output());
        if (line == null) {
            // it exited: what it wrote before is all there is
            line = firstLine(match);
        }
        if (line == null) {
            throw new AssertionError("no matching line: the forked JVM exited with status " + process.exitValue() + output());
        }
        return line;
    }

    private String firstLine(Predicate<String> match) throws IOException {
        for (String line : allLines()) {
            if (match.test(line)) {
                return line;
            }
        }
        return null;
    }

    /**
     * Waits until the agent logged an {@code event=<name>} that {@code match} accepts, or fails after
     * {@code timeout}, and returns it.
     */
    public AgentEvent awaitEvent(String name, Predicate<AgentEvent> match, Duration timeout) throws Exception {
        return AgentEvent.parse(awaitLine(l -> {
            AgentEvent e = AgentEvent.parse(l);
            return e != null && name.equals(e.event()) && match.test(e);
        }, timeout));
    }

    /**
     * Waits until the agent logged at least {@code n} events {@code event=<name>}, or fails after
     * {@code timeout}; returns all of them.
     */
    public List<AgentEvent> awaitEvents(String name, int n, Duration timeout) throws Exception {
        return Await.until(timeout, () -> AgentEvent.named(agentEvents(), name), events -> events.size() >= n,
                last -> n + " events " + name + ", " + (last == null ? 0 : last.size()) + " came" + output());
    }

    /** Waits until {@code probe} of this JVM gives a value {@code done} accepts (see {@link Await}), saying {@code what} on timeout. */
    public <T> T await(String what, Duration timeout, java.util.concurrent.Callable<T> probe, Predicate<? super T> done) {
        return Await.until(timeout, probe, done, last -> what + "; last seen: " + last + output());
    }

    /**
     * Waits until the program prints {@code ready port=P} (or fails after {@code timeout}) and returns
     * {@code 127.0.0.1:P}, the destination of the program's own server.
     */
    public String awaitReady(Duration timeout) throws Exception {
        String ready = awaitLine(l -> l.startsWith("ready port="), timeout);
        return "127.0.0.1:" + ready.substring("ready port=".length());
    }

    /** Writes one line to the JVM's stdin. */
    public void send(String line) throws IOException {
        java.io.OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The operating-system pid of the running JVM. */
    public long pid() {
        return process.pid();
    }

    /** Kills the JVM (and anything it started) if it still runs. */
    public void kill() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** The same as {@link #kill()}: a JVM in try-with-resources does not outlive its test. */
    @Override
    public void close() {
        kill();
    }

    /** From now on, JVMs started by this thread (and threads it starts) belong to the test it runs. */
    static void beginTest() {
        STARTED_BY_TEST.set(java.util.Collections.synchronizedList(new ArrayList<>()));
    }

    /**
     * Kills every JVM the current test started and left running, and waits for them to go
     * ({@link KillForkedJvms} calls this after each test). So a test that fails before its own
     * {@code kill()} leaves no churning JVM behind to skew other tests' kernel figures.
     */
    static void endTest() {
        List<ForkedJvm> owned = STARTED_BY_TEST.get();
        STARTED_BY_TEST.remove();
        if (owned != null) {
            killAndWait(owned);
        }
    }

    /** Kills every JVM started outside a test since the last call and still running, and waits for them to go. */
    static void killAllStarted() {
        killAndWait(STARTED);
    }

    private static void killAndWait(List<ForkedJvm> list) {
        List<ForkedJvm> started;
        synchronized (list) {
            started = new ArrayList<>(list);
            list.clear();
        }
        for (ForkedJvm jvm : started) {
            jvm.kill();
        }
        for (ForkedJvm jvm : started) {
            try {
                jvm.process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // it was killed; not waiting longer
            }
        }
    }

    /** Sends SIGTERM (a normal JVM shutdown: shutdown hooks run). */
    public void terminate() {
        process.destroy();
    }

    /** Everything the JVM wrote to stdout so far. */
    public String stdout() {
        return read(stdout);
    }

    /**
     * What the program announced on stdout in lines {@code <prefix><name> <value>} (for example
     * {@code backend jdk 40123}), by name.
     */
    public java.util.Map<String, String> announced(String prefix) {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        for (String line : stdout().split("\n")) {
            if (line.startsWith(prefix)) {
                String[] parts = line.substring(prefix.length()).split(" ");
                if (parts.length >= 2) {
                    values.put(parts[0], parts[1]);
                }
            }
        }
        return values;
    }

    /**
     * The ports the program announced on stdout in lines {@code path=<name> port=<port>} (for example
     * {@code path=socket port=40123}), by name.
     */
    public Map<String, Integer> announcedPaths() {
        Map<String, Integer> ports = new HashMap<>();
        for (String line : stdout().split("\n")) {
            if (line.startsWith("path=")) {
                String[] parts = line.split(" ");
                ports.put(parts[0].substring(5), Integer.parseInt(parts[1].substring(5)));
            }
        }
        return ports;
    }

    /** Everything the JVM wrote so far, stdout then stderr, each under its heading: for failure messages. */
    public String output() {
        return "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr();
    }

    /** Everything the JVM wrote to stderr so far. */
    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** stdout then stderr, line by line. */
    public List<String> allLines() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(stdout, StandardCharsets.UTF_8));
        lines.addAll(Files.readAllLines(stderr, StandardCharsets.UTF_8));
        return lines;
    }

    /** The agent's logfmt events ({@code [churn-agent] <time> <LEVEL> event=...}) of stdout and stderr. */
    public List<AgentEvent> agentEvents() throws IOException {
        return allLines().stream().map(AgentEvent::parse).filter(e -> e != null).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        return "JVM " + jdk;
    }
}
