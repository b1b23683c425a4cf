import { useState } from "preact/hooks";
import { Session } from "../client/session.js";
import { saveIdentity, savedIdentity, type Identity } from "../state/saved-identity.js";
import { Shell } from "./shell.js";
import { SignIn } from "./sign-in.js";

function startSession(identity: Identity): Session {
  const session = new Session(identity.userId, identity.deviceId);
  session.start();
  return session;
}

/** Signed out: the sign-in form; signed in: the messenger. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(() => {
    const identity = savedIdentity();
    return identity ? startSession(identity) : undefined;
  });

  if (!session) {
    return (
      <SignIn
        onSignedIn={(identity) => {
          saveIdentity(identity);
          setSession(startSession(identity));
        }}
      />
    );
  }
  return (
    <Shell
      session={session}
      onSignOut={() => {
        session.stop();
        saveIdentity(undefined);
        setSession(undefined);
      }}
    />
  );
}
