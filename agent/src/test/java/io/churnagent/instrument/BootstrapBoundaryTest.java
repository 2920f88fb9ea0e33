package io.churnagent.instrument;

import io.churnagent.bootstrap.ChurnBridge;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boot-loader boundary (DESIGN.md §3): every class of {@code bootstrap} is injected into the
 * boot class loader ({@link BootstrapInjector#BOOTSTRAP_CLASSES}; a class left out would be loaded
 * by the agent's loader, a second copy the advice never sees), and the bootstrap classes refer to
 * nothing but {@code java.base} and each other (read from their class files' constant pools, so a
 * fully qualified name in the code counts as much as an import). The second half is what
 * {@code bootstrap/}'s module descriptor already makes a compile error; kept as the check of the
 * class files that are shaded into the jar.
 */
class BootstrapBoundaryTest {

    private static final String PACKAGE = "io/churnagent/bootstrap/";
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([\\w/$]+);");

    /** The compiled bridge: bootstrap/'s classes directory or its jar (a reactor build's package phase). */
    private static Path bootstrapClasses() throws Exception {
        Path root = Paths.get(ChurnBridge.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(root)) {
            root = FileSystems.newFileSystem(root, (ClassLoader) null).getPath("/");
        }
        return root.resolve(PACKAGE);
    }

    private static Path agentClass(Class<?> type) throws Exception {
        Path root = Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        return root.resolve(type.getName().replace('.', '/') + ".class");
    }

    @Test
    void everyBootstrapClassIsInjected() throws Exception {
        Set<String> compiled;
        try (Stream<Path> files = Files.list(bootstrapClasses())) {
            compiled = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> "io.churnagent.bootstrap." + n.substring(0, n.length() - ".class".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(compiled.size() >= 8, compiled::toString);
        assertEquals(compiled, new TreeSet<>(Arrays.asList(BootstrapInjector.BOOTSTRAP_CLASSES)),
                "classes compiled into bootstrap/ against BootstrapInjector.BOOTSTRAP_CLASSES");
    }

    @Test
    void bootstrapClassesReferToJavaBaseAndEachOtherOnly() throws Exception {
        List<String> outside = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(bootstrapClasses())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                for (String referenced : referencedClasses(f)) {
                    checked++;
                    if (referenced.startsWith(PACKAGE)) {
                        continue;
                    }
                    String name = referenced.replace('/', '.');
                    Module module;
                    try {
                        module = Class.forName(name, false, null).getModule();
                    } catch (ClassNotFoundException notInTheBootLoader) {
                        outside.add(f.getFileName() + " -> " + name + " (not a boot class)");
                        continue;
                    }
                    if (!"java.base".equals(module.getName())) {
                        outside.add(f.getFileName() + " -> " + name + " (" + module.getName() + ")");
                    }
                }
            }
        }
        assertTrue(checked > 30, "the constant pools were read: " + checked + " references");
        // the reader sees what a class outside the boundary uses (so an empty list above means something)
        Path outsider = agentClass(BootstrapInjector.class);
        assertTrue(referencedClasses(outsider).contains("java/lang/instrument/Instrumentation"),
                () -> "BootstrapInjector's references: " + outsider);
        assertEquals(List.of(), outside, "bootstrap may depend on java.base only");
    }

    /**
     * What runs before the bridge is in the boot loader (the entry points, the lifecycle, the
     * in-process start) names no bridge class and no implementation of one: loading one there would
     * define a second copy in the application's loader, which the advice never calls.
     */
    @Test
    void whatRunsBeforeTheBridgeExistsNamesNoBridgeClass() throws Exception {
        List<String> early = new ArrayList<>();
        for (String name : new String[] {"AgentMain", "EntryPoint", "AgentLifecycle", "AgentLifecycle$State",
                "StartupPhases", "InProcessAgent"}) {
            Path file = agentClass(BootstrapInjector.class).getParent().getParent().resolve(name + ".class");
            for (String referenced : referencedClasses(file)) {
                if (referenced.startsWith(PACKAGE) || referenced.equals("io/churnagent/testing/FaultInjectingSink")
                        || referenced.equals("io/churnagent/churn/ConnectionTracker")
                        || referenced.equals("io/churnagent/churn/ClientSiteRecorder")) {
                    early.add(name + " -> " + referenced);
                }
            }
        }
        assertEquals(List.of(), early, "classes loaded before the bridge is injected");
    }

    /** Class names (internal form) named by a class file's constant pool: class entries and descriptors. */
    static Set<String> referencedClasses(Path classFile) throws Exception {
        Set<String> result = new TreeSet<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IllegalStateException("not a class file: " + classFile);
            }
            data.readUnsignedShort(); // minor
            data.readUnsignedShort(); // major
            int count = data.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classNames = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1: utf8[i] = data.readUTF(); break;
                    case 7: classNames.add(data.readUnsignedShort()); break; // Class
                    case 8: case 16: case 19: case 20: data.readUnsignedShort(); break; // String, MethodType, Module, Package
                    case 15: data.readUnsignedByte(); data.readUnsignedShort(); break; // MethodHandle
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: data.readInt(); break;
                    case 5: case 6: data.readLong(); i++; break; // Long, Double take two slots
                    default: throw new IllegalStateException("constant pool tag " + tag + " in " + classFile);
                }
            }
            for (int index : classNames) {
                String name = utf8[index];
                if (!name.startsWith("[")) {
                    result.add(name);
                }
                Matcher m = DESCRIPTOR_CLASS.matcher(name);
                while (m.find()) {
                    result.add(m.group(1)); // array classes: [Ljava/lang/String;
                }
            }
            for (String s : utf8) {
                if (s != null && (s.startsWith("(") || s.startsWith("L") && s.endsWith(";"))) {
                    Matcher m = DESCRIPTOR_CLASS.matcher(s);
                    while (m.find()) {
                        result.add(m.group(1));
                    }
                }
            }
        }
        return result;
    }
}
