package io.churnagent.churn;

/**
 * Decides which stack frames belong to the application, as opposed to the agent, the JDK or a
 * well-known library; stateless and thread-safe.
 *
 * <p>A call site is the first application frame of a stack: the line of the user's code that
 * called into the JDK or a client library. Library frames are recognised by package prefix. A
 * library not listed here would show up as the site itself, so the application's <em>own</em>
 * packages are found too ({@link #isOwn}): the first two name parts of the main class and of the
 * request handler a stack runs under, and the {@code app.packages} option's. Where a stack has an
 * own frame, the first one is the site, and the unlisted library's frames above it are skipped; the
 * list decides only for stacks without one.
 *
 * <p>The own packages are set once the agent knows them ({@link #setOwnPackages}, a volatile array
 * read without a lock); everything else here is constant.
 */
public final class ApplicationFrames {

    /** The agent's own packages (not {@code io.churnagent.} as a whole: the demo and the tests are applications). */
    private static final String[] AGENT = {
        "io.churnagent.bootstrap.", "io.churnagent.churn.", "io.churnagent.instrument.", "io.churnagent.report.",
        "io.churnagent.log.", "io.churnagent.export.", "io.churnagent.config.", "io.churnagent.kernel.", "io.churnagent.cli.",
        "io.churnagent.testing.", "io.churnagent.api.",
        "io.churnagent.shaded.", "io.churnagent.junit.",
    };
    /** The agent's root package: its classes (AgentMain, AgentLifecycle, ...) are the agent's, its sub-packages listed above. */
    private static final String ROOT = "io.churnagent.";

    private static final String[] PLATFORM = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "jakarta.",
    };

    /** HTTP clients, servers, frameworks, drivers and pools whose frames sit between the app and the socket. */
    private static final String[] LIBRARIES = {
        "okhttp3.", "okio.", "kotlin.", "kotlinx.", "retrofit2.", "feign.",
        "org.apache.http.", "org.apache.hc.", "org.apache.commons.", "org.apache.tomcat.", "org.apache.catalina.",
        "org.apache.coyote.", "org.eclipse.jetty.", "io.undertow.", "org.glassfish.", "org.jboss.",
        "org.springframework.", "reactor.", "io.netty.", "io.micrometer.", "io.opentelemetry.",
        "org.h2.", "com.mysql.", "org.postgresql.", "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.",
        "com.zaxxer.hikari.", "org.hibernate.", "com.fasterxml.", "com.google.common.", "net.bytebuddy.",
        "org.junit.", "org.slf4j.", "ch.qos.logback.",
        // clients of data stores and RPC, and the build tools' test runners (a surefire fork's main class)
        "io.grpc.", "com.google.protobuf.", "io.perfmark.", "redis.clients.", "io.lettuce.",
        "software.amazon.", "com.amazonaws.", "com.mongodb.", "org.bson.", "org.elasticsearch.", "co.elastic.",
        "io.vertx.", "com.couchbase.", "com.datastax.", "org.apache.maven.", "org.gradle.", "worker.org.gradle.",
        "com.intellij.",
    };

    /**
     * Every prefix above, by its first character: a walk asks for each frame, and scanning all 60
     * prefixes for each of 100 frames was a third of a capture's time.
     */
    private static final String[] NONE = {};
    private static final String[][] NOT_APPLICATION_BY_FIRST_CHAR = byFirstChar(AGENT, PLATFORM, LIBRARIES);

    /** The own packages' prefixes, each ending with a dot; empty until set. */
    private static volatile String[] own = NONE;

    private ApplicationFrames() {
    }

    /**
     * Sets the application's own packages: {@code packages} (names without a trailing dot) and the
     * package root of {@code mainClass} (may be null, or a library's class, which is ignored).
     */
    public static void setOwnPackages(String mainClass, java.util.List<String> packages) {
        java.util.List<String> prefixes = new java.util.ArrayList<>();
        if (mainClass != null && isApplication(mainClass) && rootLength(mainClass) > 0) {
            prefixes.add(mainClass.substring(0, rootLength(mainClass) + 1));
        }
        for (String p : packages) {
            String prefix = p.endsWith(".") ? p : p + ".";
            if (!prefixes.contains(prefix)) {
                prefixes.add(prefix);
            }
        }
        own = prefixes.toArray(new String[0]);
    }

    /** The own packages' prefixes as set, for the log line at start. */
    public static java.util.List<String> ownPackages() {
        return java.util.List.of(own);
    }

    /** Whether any own package is known, from the main class or the option. */
    static boolean ownKnown() {
        return own.length > 0;
    }

    /**
     * Whether {@code className} (an application class, by {@link #isApplication}) is in one of the
     * application's own packages, or shares its package root with {@code handlerType} (the request
     * handler the stack runs under; may be null). Allocates nothing.
     */
    static boolean isOwn(String className, String handlerType) {
        int root = handlerType == null ? -1 : rootLength(handlerType);
        if (root > 0 && className.length() > root && className.regionMatches(0, handlerType, 0, root + 1)) {
            return true;
        }
        for (String prefix : own) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The length of a class name's package root, its first two name parts ({@code com.acme} of
     * {@code com.acme.orders.Api}), or of its package when that has one part; 0 without a package.
     */
    static int rootLength(String className) {
        int first = className.indexOf('.');
        if (first < 0) {
            return 0;
        }
        int second = className.indexOf('.', first + 1);
        return second < 0 ? first : second;
    }

    /** Whether frames of {@code className} are the application's own code. */
    public static boolean isApplication(String className) {
        if (className == null) {
            return false;
        }
        if (className.isEmpty() || className.charAt(0) >= NOT_APPLICATION_BY_FIRST_CHAR.length) {
            return true;
        }
        if (className.startsWith(ROOT) && className.indexOf('.', ROOT.length()) < 0) {
            return false;
        }
        for (String p : NOT_APPLICATION_BY_FIRST_CHAR[className.charAt(0)]) {
            if (className.startsWith(p)) {
                return false;
            }
        }
        return true;
    }

    private static String[][] byFirstChar(String[]... lists) {
        java.util.List<java.util.List<String>> buckets = new java.util.ArrayList<>();
        for (int c = 0; c < 128; c++) {
            buckets.add(new java.util.ArrayList<>());
        }
        for (String[] list : lists) {
            for (String prefix : list) {
                buckets.get(prefix.charAt(0)).add(prefix); // every prefix is ASCII
            }
        }
        String[][] result = new String[128][];
        for (int c = 0; c < 128; c++) {
            result[c] = buckets.get(c).isEmpty() ? NONE : buckets.get(c).toArray(new String[0]);
        }
        return result;
    }

    /** {@code Class.method(File.java:LINE)}, without the module and loader prefixes of StackTraceElement.toString(). */
    public static String describe(StackTraceElement e) {
        return describe(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber(), e.isNativeMethod());
    }

    /** {@code Class.method(File.java:LINE)} from a frame's parts. */
    static String describe(String className, String method, String file, int line, boolean nativeMethod) {
        StringBuilder sb = new StringBuilder(96).append(className).append('.').append(method).append('(');
        if (nativeMethod) {
            sb.append("Native Method");
        } else if (file == null) {
            sb.append("Unknown Source");
        } else {
            sb.append(file);
            if (line >= 0) {
                sb.append(':').append(line);
            }
        }
        return sb.append(')').toString();
    }
}
