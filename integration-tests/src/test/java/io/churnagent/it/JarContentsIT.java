package io.churnagent.it;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded jar carries only the project's packages, with every dependency relocated under it. */
class JarContentsIT {

    @Test
    void everyClassLivesUnderTheProjectsPackageAndTheManifestIsAnAgents() throws Exception {
        List<String> strays = new ArrayList<>();
        boolean byteBuddy = false;
        boolean logback = false;
        boolean slf4j = false;
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                String path = name;
                // only the project's package at the top, and META-INF for the manifest and licences
                boolean allowed = path.startsWith("io/churnagent/") || path.equals("io/")
                        || (path.startsWith("META-INF/") && !path.endsWith(".class")
                        && !path.startsWith("META-INF/services/") && !path.startsWith("META-INF/versions/"));
                if (!allowed) {
                    strays.add(name);
                }
                byteBuddy |= path.startsWith("io/churnagent/shaded/bytebuddy/");
                logback |= path.startsWith("io/churnagent/shaded/logback/classic/");
                slf4j |= path.startsWith("io/churnagent/shaded/slf4j/");
            }
            assertTrue(strays.isEmpty(), "entries outside io/churnagent/: " + strays);
            assertTrue(byteBuddy && logback && slf4j, "Byte Buddy, Logback and SLF4J are shaded in");
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.churnagent.AgentMain", main.getValue("Premain-Class"));
            assertEquals("io.churnagent.AgentMain", main.getValue("Agent-Class"));
            assertEquals("io.churnagent.AgentMain", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("true", main.getValue("Can-Redefine-Classes"));
        }
    }

    /**
     * The agent's own classes are compiled with {@code -XDstringConcat=inline}: an invokedynamic
     * string concatenation spins method-handle classes at its first use, for the JIT to compile
     * inside the application the agent has just joined (docs/PERFORMANCE.md, fifth session).
     */
    @Test
    void theAgentsOwnClassesConcatenateStringsWithoutInvokedynamic() throws Exception {
        List<String> indy = new ArrayList<>();
        int checked = 0;
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.endsWith(".class") || name.startsWith("io/churnagent/shaded/")) {
                    continue;
                }
                checked++;
                byte[] bytes = jar.getInputStream(entry).readAllBytes();
                // the bootstrap method's name is a UTF-8 constant of every class that uses it
                if (new String(bytes, StandardCharsets.ISO_8859_1).contains("makeConcatWithConstants")) {
                    indy.add(name);
                }
            }
        }
        assertTrue(checked > 100, "the agent's classes were read: " + checked);
        assertTrue(indy.isEmpty(), "classes with invokedynamic string concatenation: " + indy);
    }
}
