package io.churnagent.churn;

import java.lang.reflect.Field;

/**
 * Reads an OkHttp {@code ConnectionPool}'s idle limit by reflection (OkHttp is known by name only);
 * stateless, thread-safe, never throws.
 *
 * <p>OkHttp 4 and 5 keep it in {@code ConnectionPool.delegate} ({@code RealConnectionPool}) as
 * {@code maxIdleConnections}; OkHttp 3 in the pool itself. Read once per new pool, when a client is
 * built: the pool closes the connections beyond this many idle ones after each burst of calls.
 */
final class OkHttpPools {

    private OkHttpPools() {
    }

    /** The pool's {@code maxIdleConnections}, or -1 when it cannot be read. */
    static int maxIdle(Object pool) {
        try {
            Object real = field(pool, "delegate");
            Object idle = field(real != null ? real : pool, "maxIdleConnections");
            return idle instanceof Integer ? (Integer) idle : -1;
        } catch (Throwable t) { // an OkHttp of another shape, or a module that denies access
            return -1;
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    f.setAccessible(true);
                    return f.get(target);
                }
            }
        }
        return null;
    }
}
