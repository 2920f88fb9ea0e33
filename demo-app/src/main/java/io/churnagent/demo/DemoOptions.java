package io.churnagent.demo;

import java.util.Locale;

/**
 * The demo's command-line options, parsed from {@code --key=value} arguments; immutable.
 * {@link #parse} rejects anything it does not understand with an {@link InvalidOptionException}
 * whose message names the flag and its accepted form.
 */
final class DemoOptions {

    /** How the gateway talks to its backends. */
    enum Mode {
        /** A new client (and so new connections) for every incoming request: the bug. */
        CHURN,
        /** One long-lived client shared by all requests: the fix. */
        POOLED
    }

    /** Which client library the gateway uses to call its backends. */
    enum ClientKind {
        JDK,
        URLCONNECTION,
        SOCKET
    }

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar demo-app.jar [options]",
            "  --mode=churn|pooled     churn: the gateway builds a new client per request (default);",
            "                          pooled: the gateway shares one long-lived client",
            "  --client=KIND           what the gateway calls its backends with: jdk (default,",
            "                          java.net.http.HttpClient), urlconnection (HttpURLConnection,",
            "                          disconnect() per call when churning) or socket (raw HTTP/1.1)",
            "  --rps=N                 requests per second the built-in load driver sends to the",
            "                          gateway (default 400; 0 = no built-in load)",
            "  --duration=SECONDS      how long to run (default 30; 0 = until killed)",
            "  --port=N                gateway port on 127.0.0.1 (default 0 = any free port)",
            "  --help                  print this and exit");

    static final int MAX_RPS = 100_000;

    final Mode mode;
    final ClientKind client;
    final int rps;
    final int durationSeconds;
    final int port;
    final boolean help;

    DemoOptions(Mode mode, ClientKind client, int rps, int durationSeconds, int port, boolean help) {
        this.mode = mode;
        this.client = client;
        this.rps = rps;
        this.durationSeconds = durationSeconds;
        this.port = port;
        this.help = help;
    }

    static DemoOptions defaults() {
        return new DemoOptions(Mode.CHURN, ClientKind.JDK, 400, 30, 0, false);
    }

    /** Parses the arguments; later occurrences of a flag win. */
    static DemoOptions parse(String... args) throws InvalidOptionException {
        DemoOptions defaults = defaults();
        Mode mode = defaults.mode;
        ClientKind client = defaults.client;
        int rps = defaults.rps;
        int duration = defaults.durationSeconds;
        int port = defaults.port;
        boolean help = false;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            int eq = arg.indexOf('=');
            String key = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            switch (key) {
                case "--mode":
                    mode = parseEnum(Mode.class, key, value, "--mode=churn|pooled");
                    break;
                case "--client":
                    client = parseEnum(ClientKind.class, key, value, "--client=jdk|urlconnection|socket");
                    break;
                case "--rps":
                    rps = parseInt(key, value, 0, MAX_RPS, "--rps=N, a whole number from 0 to " + MAX_RPS);
                    break;
                case "--duration":
                    duration = parseInt(key, value, 0, Integer.MAX_VALUE,
                            "--duration=SECONDS, a whole number >= 0 (0 = until killed)");
                    break;
                case "--port":
                    port = parseInt(key, value, 0, 65535, "--port=N, a whole number from 0 to 65535");
                    break;
                default:
                    throw new InvalidOptionException("unknown argument '" + arg
                            + "' (accepted: --mode=, --client=, --rps=, --duration=, --port=, --help)");
            }
        }
        return new DemoOptions(mode, client, rps, duration, port, help);
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String value, String form)
            throws InvalidOptionException {
        if (value != null) {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return constant;
                }
            }
        }
        throw bad(key, value, form);
    }

    private static int parseInt(String key, String value, int min, int max, String form)
            throws InvalidOptionException {
        // Digits only: Integer.parseInt would also take "+5" and "-0", which nobody means.
        if (value == null || value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(key, value, form);
        }
        long parsed = Long.parseLong(value);
        if (parsed < min || parsed > max) {
            throw bad(key, value, form);
        }
        return (int) parsed;
    }

    private static InvalidOptionException bad(String key, String value, String form) {
        String got = value == null ? "no value" : "'" + value + "'";
        return new InvalidOptionException("bad value for " + key + ": " + got + " (expected " + form + ")");
    }

    @Override
    public String toString() {
        return "mode=" + name(mode) + " client=" + name(client) + " rps=" + rps
                + " duration=" + (durationSeconds == 0 ? "until killed" : durationSeconds + "s");
    }

    static String name(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** A command-line argument the demo does not accept; the message is meant for the user. */
    static final class InvalidOptionException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidOptionException(String message) {
            super(message);
        }
    }
}
