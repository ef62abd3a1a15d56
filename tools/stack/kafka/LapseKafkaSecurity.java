// Applies Lapse's Kafka principals and ACLs in one JVM (run by tools/stack/lib/kafka.sh with
// `java -cp <kafka jars> LapseKafkaSecurity.java <bootstrap> <admin.properties> <spec>`).
// The spec has one line per item:
//   user <name> <password-file>                       SCRAM-SHA-512 credentials (upserted)
//   acl <principal> <operation> <topic|group|cluster> <literal|prefixed> <name>   ALLOW, any host
// Creating an ACL that exists changes nothing, so running it on every start is safe.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class LapseKafkaSecurity {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (var in = Files.newInputStream(Path.of(args[1]))) {
      props.load(in);
    }
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    List<UserScramCredentialAlteration> users = new ArrayList<>();
    List<AclBinding> acls = new ArrayList<>();
    for (String raw : Files.readAllLines(Path.of(args[2]), StandardCharsets.UTF_8)) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] f = line.split("\\s+");
      if (f[0].equals("user")) {
        String password = Files.readString(Path.of(f[2]), StandardCharsets.UTF_8).trim();
        users.add(
            new UserScramCredentialUpsertion(
                f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
      } else if (f[0].equals("acl")) {
        ResourceType type =
            switch (f[3]) {
              case "topic" -> ResourceType.TOPIC;
              case "group" -> ResourceType.GROUP;
              case "cluster" -> ResourceType.CLUSTER;
              default -> throw new IllegalArgumentException("resource type: " + f[3]);
            };
        PatternType pattern = f[4].equals("prefixed") ? PatternType.PREFIXED : PatternType.LITERAL;
        acls.add(
            new AclBinding(
                new ResourcePattern(type, f[5], pattern),
                new AccessControlEntry(
                    "User:" + f[1],
                    "*",
                    AclOperation.fromString(f[2]),
                    AclPermissionType.ALLOW)));
      } else {
        throw new IllegalArgumentException("unknown line: " + line);
      }
    }
    try (Admin admin = Admin.create(props)) {
      admin.alterUserScramCredentials(users).all().get();
      admin.createAcls(acls).all().get();
    }
    System.err.println(
        "[lapse-stack] kafka security: " + users.size() + " principals, " + acls.size() + " ACLs");
  }
}
