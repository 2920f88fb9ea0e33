package io.churnagent.log;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the fields of an agent log line back: the exact inverse of {@link Logfmt} (and so of
 * {@link LogEvent#toString()}'s first line); stateless. For the tests and for tools that read the
 * agent's text log; the agent itself never parses its own lines.
 *
 * <p>A line is {@code key=value} pairs separated by single spaces, then free text (the event's
 * remarks and note). A key is letters, digits, {@code _} and {@code .}, as the agent writes them;
 * the pairs end at the first token that is not {@code key=value}, such as {@code (logged once)}. A
 * quoted value holds {@code \"}, {@code \\}, {@code \n} and {@code \\uXXXX} escapes, as Logfmt
 * writes them.
 */
public final class LogfmtReader {

    private LogfmtReader() {
    }

    /** The leading {@code key=value} pairs of {@code line}, in order (a repeated key keeps its last value). */
    public static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && isKeyChar(line.charAt(i))) {
                i++;
            }
            if (i == start || i >= n || line.charAt(i) != '=') {
                break;
            }
            String key = line.substring(start, i);
            i++;
            StringBuilder value = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                int end = quoted(line, i + 1, value);
                if (end < 0) {
                    break; // an unterminated quote is free text, not a field
                }
                i = end;
            } else {
                while (i < n && line.charAt(i) != ' ') {
                    value.append(line.charAt(i++));
                }
            }
            out.put(key, value.toString());
        }
        return out;
    }

    /** Reads a quoted value from {@code from} (after the opening quote) into {@code value}; the index after the closing quote, or -1. */
    private static int quoted(String line, int from, StringBuilder value) {
        int i = from;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length()) {
                char e = line.charAt(i + 1);
                if (e == 'n') {
                    value.append('\n');
                    i += 2;
                } else if (e == 'u' && i + 5 < line.length()) {
                    value.append((char) Integer.parseInt(line.substring(i + 2, i + 6), 16));
                    i += 6;
                } else {
                    value.append(e);
                    i += 2;
                }
            } else {
                value.append(c);
                i++;
            }
        }
        return -1;
    }

    private static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    }
}
