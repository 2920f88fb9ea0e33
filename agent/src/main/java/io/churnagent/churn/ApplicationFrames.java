package io.churnagent.churn;

/**
 * Decides which stack frames belong to the application, as opposed to the agent, the JDK or a
 * well-known library; stateless and thread-safe.
 *
 * <p>A call site is the first application frame of a stack: the line of the user's code that
 * called into the JDK or a client library. Library frames are recognised by package prefix; a
 * library not listed here shows up as the site itself, which still points at the right stack.
 */
public final class ApplicationFrames {

    /** The agent's own packages (not {@code io.churnagent.} as a whole: the demo and the tests are applications). */
    private static final String[] AGENT = {
        "io.churnagent.bootstrap.", "io.churnagent.churn.", "io.churnagent.instrument.", "io.churnagent.report.",
        "io.churnagent.config.", "io.churnagent.kernel.", "io.churnagent.cli.", "io.churnagent.shaded.",
        "io.churnagent.AgentMain", "io.churnagent.ActiveAgent", "io.churnagent.AgentRuntime",
    };

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
    };

    /**
     * Every prefix above, by its first character: a walk asks for each frame, and scanning all 60
     * prefixes for each of 100 frames was a third of a capture's time.
     */
    private static final String[] NONE = {};
    private static final String[][] NOT_APPLICATION_BY_FIRST_CHAR = byFirstChar(AGENT, PLATFORM, LIBRARIES);

    private ApplicationFrames() {
    }

    /** Whether frames of {@code className} are the application's own code. */
    public static boolean isApplication(String className) {
        if (className == null) {
            return false;
        }
        if (className.isEmpty() || className.charAt(0) >= NOT_APPLICATION_BY_FIRST_CHAR.length) {
            return true;
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
