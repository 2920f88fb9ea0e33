package io.churnagent.config;

/**
 * One checked value per option while options are resolved (defaults, then what the sources give);
 * not thread-safe, used by one parse. {@link AgentOptions} keeps an immutable copy.
 */
final class OptionValues {

    private final Object[] values = new Object[Option.all().size()];

    /** The value of {@code option}, or null when none was set. */
    <T> T get(Option<T> option) {
        return option.type().cast(values[option.index()]);
    }

    <T> void set(Option<T> option, T value) {
        values[option.index()] = value;
    }

    /** Parses {@code text} for {@code option} and sets it; false (and nothing set) when it is not in the option's form. */
    <T> boolean parse(Option<T> option, String text) {
        T value = option.parse(text);
        if (value == null) {
            return false;
        }
        set(option, value);
        return true;
    }

    /** Copies the value of {@code option} from {@code other}. */
    <T> void copy(Option<T> option, OptionValues other) {
        set(option, other.get(option));
    }

    /** A copy of every value; fails when one is missing. */
    Object[] copy() {
        for (Option<?> o : Option.all()) {
            if (values[o.index()] == null) {
                throw new IllegalArgumentException("no value for " + o.key());
            }
        }
        return values.clone();
    }
}
