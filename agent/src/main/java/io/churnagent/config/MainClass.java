package io.churnagent.config;

import java.io.File;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The application's main class, as the JVM was asked to run it: the first word of
 * {@code sun.java.command}, or for {@code java -jar app.jar} the jar manifest's {@code Start-Class}
 * (Spring Boot's launcher names the application's class there) or {@code Main-Class}; stateless.
 * Read once at agent start, off the application's paths.
 */
public final class MainClass {

    private MainClass() {
    }

    /** The main class's binary name, or null when it cannot be told (an embedded JVM, an unreadable jar). */
    public static String detect() {
        return fromCommand(System.getProperty("sun.java.command"));
    }

    static String fromCommand(String command) {
        if (command == null || command.isBlank()) {
            return null;
        }
        String first = command.trim().split("\\s+", 2)[0];
        if (!first.endsWith(".jar")) {
            int slash = first.indexOf('/'); // java -m module/pkg.Main
            return slash >= 0 ? first.substring(slash + 1) : first;
        }
        File jar = new File(first);
        if (!jar.isFile()) {
            return null;
        }
        try (JarFile file = new JarFile(jar, false)) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                return null;
            }
            Attributes main = manifest.getMainAttributes();
            String start = main.getValue("Start-Class");
            return start != null ? start.trim() : trimmed(main.getValue(Attributes.Name.MAIN_CLASS));
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    private static String trimmed(String s) {
        return s == null ? null : s.trim();
    }
}
