package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one parser of /proc/<pid>/cmdline: the arguments (for the CLI) and the shown form (for warnings). */
class ProcCmdlineTest {

    /** {@code cmdline} with {@code \0} written as {@code |}; the arguments with {@code ,} between; the shown form. */
    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = ';', emptyValue = "", value = {
            "java|-jar|server.jar|;                java,-jar,server.jar;   java -jar server.jar",
            "java|-XX:+DisableAttachMechanism|;    java,-XX:+DisableAttachMechanism; java -XX:+DisableAttachMechanism",
            "no-final-nul|x;                       no-final-nul,x;         no-final-nul x",
            "a||b|;                                a,,b;                   a  b",
            "|lead|;                               ,lead;                  lead",
            "single;                               single;                 single",
            "grüß|dich|;                           grüß,dich;              grüß dich",
            "' trim me |';                         ' trim me ';            trim me",
    })
    void argumentsAndTheShownForm(String cmdline, String arguments, String shown) {
        byte[] bytes = cmdline.replace('|', '\0').getBytes(StandardCharsets.UTF_8);
        assertEquals(Arrays.asList(arguments.split(",", -1)), ProcCmdline.arguments(bytes));
        assertEquals(shown, ProcCmdline.shown(bytes, 300));
    }

    @Test
    void nothingIsNoArgument() {
        assertEquals(List.of(), ProcCmdline.arguments(new byte[0]));
        assertEquals("", ProcCmdline.shown(new byte[0], 300));
    }

    @Test
    void aLongCommandKeepsItsStartAndItsEnd() {
        String classPath = "/lib/a.jar:".repeat(200);
        byte[] bytes = ("java\0-cp\0" + classPath + "\0com.example.Main\0--port=8080\0").getBytes(StandardCharsets.UTF_8);
        String shown = ProcCmdline.shown(bytes, 300);
        assertEquals(300 + " ... ".length(), shown.length());
        assertTrue(shown.startsWith("java -cp /lib/a.jar:"), shown);
        assertTrue(shown.endsWith(" com.example.Main --port=8080"), shown);
        assertTrue(shown.contains(" ... "), shown);
    }

    @Test
    void readsTheFileOfAProcessDirectoryUpToItsBound(@TempDir Path proc) throws Exception {
        Path pid = Files.createDirectories(proc.resolve("77"));
        Files.write(pid.resolve("cmdline"), "java\0-jar\0server.jar\0".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("java", "-jar", "server.jar"), ProcCmdline.arguments(ProcCmdline.read(pid, Integer.MAX_VALUE)));
        assertEquals(List.of("java", "-j"), ProcCmdline.arguments(ProcCmdline.read(pid, 7)));
        assertThrows(NoSuchFileException.class, () -> ProcCmdline.read(proc.resolve("78"), 100));
    }
}
