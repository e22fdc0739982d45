<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_PT">
<context>
    <name>FirstAdminDialog</name>
    <message>
        <source>Create the first administrator</source>
        <translation>Criar o primeiro administrador</translation>
    </message>
    <message>
        <source>This clinic database has no staff accounts yet. Create the administrator account now; add nurses, therapists and clinicians afterwards.</source>
        <translation>Esta base de dados da clínica ainda não tem contas de profissionais. Crie agora a conta de administrador; acrescente depois enfermeiros, terapeutas e médicos.</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Utilizador</translation>
    </message>
    <message>
        <source>&amp;Full name</source>
        <translation>Nome &amp;completo</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Repeat password</source>
        <translation>&amp;Repetir palavra-passe</translation>
    </message>
    <message>
        <source>Clinic &amp;name</source>
        <translation>&amp;Nome da clínica</translation>
    </message>
    <message>
        <source>optional, e.g. Harbour Ketamine Clinic</source>
        <translation>opcional, p. ex. Clínica de Cetamina do Porto</translation>
    </message>
    <message>
        <source>&amp;Create administrator</source>
        <translation>&amp;Criar administrador</translation>
    </message>
    <message>
        <source>Repeat password does not match Password; type it again.</source>
        <translation>A palavra-passe repetida não coincide com a palavra-passe; escreva-a de novo.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign-in message</source>
        <translation>Mensagem de início de sessão</translation>
    </message>
    <message>
        <source>Sign in to {clinic}.</source>
        <translation>Iniciar sessão em {clinic}.</translation>
    </message>
    <message>
        <source> This is the DEMO clinic: not for patient care.</source>
        <translation> Esta é a clínica de DEMONSTRAÇÃO: não serve para cuidar de doentes.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sessão</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Utilizador</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Iniciar sessão</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>Escreva o seu nome de utilizador.</translation>
    </message>
    <message>
        <source>Your password was not changed, so you are not signed in.</source>
        <translation>A sua palavra-passe não foi alterada, pelo que não tem sessão iniciada.</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Don&apos;t Save</source>
        <translation>Não guardar</translation>
    </message>
    <message>
        <source>Close without Saving</source>
        <translation>Fechar sem guardar</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Aplicar</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Repor</translation>
    </message>
    <message>
        <source>Restore Defaults</source>
        <translation>Repor predefinições</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Ajuda</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Sim</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Não</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Abortar</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Tentar de novo</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignorar</translation>
    </message>
</context>
</TS>
