package io.churnagent.log;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a logfmt line back into its pairs (test helper; the inverse of {@link Logfmt}). */
final class LogfmtReader {

    private LogfmtReader() {
    }

    static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            int eq = s.indexOf('=', i);
            int space = s.indexOf(' ', i);
            if (eq < 0 || (space >= 0 && space < eq)) {
                break;
            }
            String key = s.substring(i, eq);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                        if (s.charAt(i) == 'n') {
                            value.append('\n');
                            i++;
                            continue;
                        }
                    }
                    value.append(s.charAt(i++));
                }
                i++;
            } else {
                while (i < s.length() && s.charAt(i) != ' ') {
                    value.append(s.charAt(i++));
                }
            }
            out.put(key, value.toString());
        }
        return out;
    }
}
