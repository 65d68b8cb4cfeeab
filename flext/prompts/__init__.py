"""Questions asked on a terminal: the step-by-step wizard and the guided commands built on it.

Below the commands and the shell (both use it: `flext init`, `pipeline create` with values
missing, the shell's onboarding), above the engine and the backends it reaches through
the Context. Without a terminal nothing here prompts: a missing answer is a usage error
naming the flag to pass.
"""
