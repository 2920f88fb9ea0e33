package io.churnagent.it;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (no parser for it is published on
 * Maven Central): every line is a HELP, a TYPE or a sample; names, label names, escapes and values
 * follow the format; a family's TYPE comes once and before its samples, its samples are together,
 * and no series appears twice.
 */
final class ExpositionFormat {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
    private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String VALUE = "(?:[+-]?Inf|NaN|[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(?:" + LABEL_NAME + "=" + LABEL_VALUE
            + "(?:," + LABEL_NAME + "=" + LABEL_VALUE + ")*,?)?\\})? (" + VALUE + ")(?: -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("(" + LABEL_NAME + ")=(" + LABEL_VALUE + ")");

    private ExpositionFormat() {
    }

    /** The samples, keyed by {@code name{labels}} as written; throws AssertionError on any violation. */
    static Map<String, Double> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        Set<String> typed = new HashSet<>();
        Set<String> finished = new HashSet<>();
        Map<String, String> types = new LinkedHashMap<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                if (!typed.add(m.group(1))) {
                    throw new AssertionError("line " + lineNo + ": second TYPE for " + m.group(1));
                }
                types.put(m.group(1), m.group(2));
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment
            }
            m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("line " + lineNo + " is not a sample: " + line);
            }
            String name = m.group(1);
            if (!name.equals(current)) {
                if (current != null) {
                    finished.add(current);
                }
                if (finished.contains(name)) {
                    throw new AssertionError("line " + lineNo + ": samples of " + name + " are not together");
                }
                current = name;
            }
            if (!typed.contains(name)) {
                throw new AssertionError("line " + lineNo + ": no TYPE before " + name);
            }
            if ("counter".equals(types.get(name)) && !name.endsWith("_total")) {
                throw new AssertionError("a counter's name ends with _total: " + name);
            }
            Set<String> labelNames = new HashSet<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    if (!labelNames.add(l.group(1))) {
                        throw new AssertionError("line " + lineNo + ": label " + l.group(1) + " twice");
                    }
                }
            }
            String key = name + (m.group(2) == null ? "" : m.group(2));
            String v = m.group(3);
            double value = v.endsWith("Inf") ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                    : Double.parseDouble(v);
            if (samples.put(key, value) != null) {
                throw new AssertionError("line " + lineNo + ": series twice: " + key);
            }
        }
        return samples;
    }
}
