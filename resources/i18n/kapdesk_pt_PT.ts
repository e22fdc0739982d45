<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_PT">
<context>
    <name>AboutDialog</name>
    <message>
        <source>not recorded in this build</source>
        <translation>não registada nesta versão</translation>
    </message>
    <message>
        <source>not stated</source>
        <translation>não indicada</translation>
    </message>
    <message>
        <source>The pinned versions cannot be read now: {error}</source>
        <translation>Não é possível ler agora as versões fixadas: {error}</translation>
    </message>
    <message>
        <source>No course has started yet, so no version is pinned.</source>
        <translation>Ainda não começou nenhum ciclo, por isso nenhuma versão está fixada.</translation>
    </message>
    <message>
        <source>version {version}</source>
        <translation>versão {version}</translation>
    </message>
    <message>
        <source>A desktop companion for clinics running ketamine-assisted psychotherapy: it supports clinical staff; it does not decide for them.</source>
        <translation>Um apoio de secretária para clínicas de psicoterapia assistida por cetamina: ajuda os profissionais clínicos; não decide por eles.</translation>
    </message>
    <message>
        <source>DEMO clinic – not for patient care.</source>
        <translation>Clínica de DEMONSTRAÇÃO – não usar no cuidado de doentes.</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versão</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Base de dados</translation>
    </message>
    <message>
        <source> (encrypted)</source>
        <translation> (cifrada)</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licença</translation>
    </message>
    <message>
        <source>Protocols loaded</source>
        <translation>Protocolos carregados</translation>
    </message>
    <message>
        <source>The presets new courses start on. Every alert names the protocol and version that raised it.</source>
        <translation>Os protocolos com que começam os novos ciclos. Cada alerta indica o protocolo e a versão que o gerou.</translation>
    </message>
    <message>
        <source>Pinned in this database</source>
        <translation>Fixados nesta base de dados</translation>
    </message>
    <message>
        <source>A course is judged for ever with the exact text of the version it started on.</source>
        <translation>Um ciclo é sempre avaliado com o texto exato da versão com que começou.</translation>
    </message>
    <message>
        <source>About kapdesk</source>
        <translation>Sobre o kapdesk</translation>
    </message>
</context>
<context>
    <name>AcknowledgeDialog</name>
    <message>
        <source>Acknowledge before dosing</source>
        <translation>Registar conhecimento antes de administrar</translation>
    </message>
    <message>
        <source>&amp;Acknowledge and dose</source>
        <translation>&amp;Registar conhecimento e administrar</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add user</source>
        <translation>Adicionar utilizador</translation>
    </message>
    <message>
        <source>A new staff account. Give the person the temporary password in person; passwords have at least 10 characters.</source>
        <translation>Uma nova conta de profissional. Entregue a palavra-passe temporária pessoalmente; as palavras-passe têm pelo menos 10 caracteres.</translation>
    </message>
    <message>
        <source>&amp;Add user</source>
        <translation>&amp;Adicionar utilizador</translation>
    </message>
    <message>
        <source>&amp;Must choose a new password at the first sign-in</source>
        <translation>Tem de escolher uma nova palavra-passe no pri&amp;meiro início de sessão</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Nome de utilizador</translation>
    </message>
    <message>
        <source>&amp;Full name</source>
        <translation>Nome &amp;completo</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Função</translation>
    </message>
    <message>
        <source>&amp;Temporary password</source>
        <translation>Palavra-passe &amp;temporária</translation>
    </message>
    <message>
        <source>Re&amp;peat temporary password</source>
        <translation>Re&amp;petir a palavra-passe temporária</translation>
    </message>
</context>
<context>
    <name>AddendumDialog</name>
    <message>
        <source>Add addendum</source>
        <translation>Acrescentar adenda</translation>
    </message>
    <message>
        <source>An addendum to {what}. The signed original stays as it is; the addendum is shown and printed with it, under your name and the time.</source>
        <translation>Uma adenda à {what}. O original assinado fica como está; a adenda é mostrada e impressa com ele, com o seu nome e a hora.</translation>
    </message>
    <message>
        <source>What is added or corrected, and why.</source>
        <translation>O que é acrescentado ou corrigido, e porquê.</translation>
    </message>
    <message>
        <source>Optional, e.g. Reading 10:32 systolic</source>
        <translation>Opcional, p. ex. Medição 10:32 sistólica</translation>
    </message>
    <message>
        <source>Optional, e.g. 128</source>
        <translation>Opcional, p. ex. 128</translation>
    </message>
    <message>
        <source>Addendum &amp;text</source>
        <translation>&amp;Texto da adenda</translation>
    </message>
    <message>
        <source>Corrected &amp;field</source>
        <translation>&amp;Campo corrigido</translation>
    </message>
    <message>
        <source>Corrected &amp;value</source>
        <translation>&amp;Valor corrigido</translation>
    </message>
    <message>
        <source>Addendum message</source>
        <translation>Mensagem da adenda</translation>
    </message>
    <message>
        <source>&amp;Add addendum</source>
        <translation>&amp;Acrescentar adenda</translation>
    </message>
    <message>
        <source>addendum</source>
        <translation>adenda</translation>
    </message>
    <message>
        <source>Corrected field: name what the corrected value replaces.</source>
        <translation>Campo corrigido: indique o que o valor corrigido substitui.</translation>
    </message>
</context>
<context>
    <name>Alert</name>
    <message>
        <source>{room}: {reading} reading is due</source>
        <translation>{room}: devida · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} is due</source>
        <translation>{room}: devida · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} reading is overdue</source>
        <translation>{room}: em atraso · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} is overdue</source>
        <translation>{room}: em atraso · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} reading is missed</source>
        <translation>{room}: falhada · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} is missed</source>
        <translation>{room}: falhada · {reading}</translation>
    </message>
    <message>
        <source>{room}: {alert}: {detail}</source>
        <translation>{room}: {alert}: {detail}</translation>
    </message>
    <message>
        <source>{room}: {alert} at {time}: {detail}</source>
        <translation>{room}: {alert} às {time}: {detail}</translation>
    </message>
    <message>
        <source>{value} {band}</source>
        <translation>{value} ({band})</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Record that you have seen this alert (audited).</source>
        <translation>Registar que viu este alerta (fica no registo de auditoria).</translation>
    </message>
    <message>
        <source>Only a clinician can acknowledge an alert reading; it stays until then or until a later reading is within limits.</source>
        <translation>Só um clínico pode registar conhecimento de uma medição de alerta; o alerta mantém-se até lá ou até uma medição posterior ficar dentro dos limites.</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alerta</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Registar conhecimento</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Ocultar</translation>
    </message>
    <message>
        <source>Open {alert}</source>
        <translation>Abrir {alert}</translation>
    </message>
    <message>
        <source>Dismiss {alert}</source>
        <translation>Ocultar {alert}</translation>
    </message>
    <message>
        <source>Acknowledge {alert}</source>
        <translation>Registar conhecimento de {alert}</translation>
    </message>
</context>
<context>
    <name>AlertSlot</name>
    <message>
        <source>No alerts.</source>
        <translation>Sem alertas.</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertas</translation>
    </message>
</context>
<context>
    <name>AuditLogWindow</name>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilizador</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Ação</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Registo</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Doente</translation>
    </message>
    <message>
        <source>sign-in, lockouts</source>
        <translation>início de sessão, bloqueios</translation>
    </message>
    <message>
        <source>user accounts</source>
        <translation>contas de utilizador</translation>
    </message>
    <message>
        <source>refused actions</source>
        <translation>ações recusadas</translation>
    </message>
    <message>
        <source>patients</source>
        <translation>doentes</translation>
    </message>
    <message>
        <source>chart opened</source>
        <translation>processo aberto</translation>
    </message>
    <message>
        <source>treatment courses</source>
        <translation>ciclos de tratamento</translation>
    </message>
    <message>
        <source>dosing sessions</source>
        <translation>sessões de administração</translation>
    </message>
    <message>
        <source>vital signs</source>
        <translation>sinais vitais</translation>
    </message>
    <message>
        <source>doses</source>
        <translation>doses</translation>
    </message>
    <message>
        <source>side effects</source>
        <translation>efeitos adversos</translation>
    </message>
    <message>
        <source>sedation, dissociation</source>
        <translation>sedação, dissociação</translation>
    </message>
    <message>
        <source>PHQ-9, GAD-7</source>
        <translation>PHQ-9, GAD-7</translation>
    </message>
    <message>
        <source>notes</source>
        <translation>notas</translation>
    </message>
    <message>
        <source>signatures</source>
        <translation>assinaturas</translation>
    </message>
    <message>
        <source>addenda</source>
        <translation>adendas</translation>
    </message>
    <message>
        <source>printed and saved reports</source>
        <translation>relatórios impressos e guardados</translation>
    </message>
    <message>
        <source>audit exports</source>
        <translation>exportações de auditoria</translation>
    </message>
    <message>
        <source>backups and restores</source>
        <translation>cópias de segurança e restauros</translation>
    </message>
    <message>
        <source>settings</source>
        <translation>definições</translation>
    </message>
    <message>
        <source>screen lock</source>
        <translation>bloqueio do ecrã</translation>
    </message>
    <message>
        <source>Export audit log as CSV</source>
        <translation>Exportar o registo de auditoria em CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Ficheiros CSV (*.csv)</translation>
    </message>
    <message>
        <source>Audit log – DEMO</source>
        <translation>Registo de auditoria – DEMONSTRAÇÃO</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Registo de auditoria</translation>
    </message>
    <message>
        <source>Audit log message</source>
        <translation>Mensagem do registo de auditoria</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>Entradas do registo de auditoria</translation>
    </message>
    <message>
        <source>Select an entry to see its values before and after.</source>
        <translation>Selecione uma entrada para ver os seus valores antes e depois.</translation>
    </message>
    <message>
        <source>Selected entry</source>
        <translation>Entrada selecionada</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Campo</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Antes</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Depois</translation>
    </message>
    <message>
        <source>Before and after</source>
        <translation>Antes e depois</translation>
    </message>
    <message>
        <source>Entries shown</source>
        <translation>Entradas apresentadas</translation>
    </message>
    <message>
        <source>Export status</source>
        <translation>Estado da exportação</translation>
    </message>
    <message>
        <source>Load &amp;more</source>
        <translation>Carregar &amp;mais</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Exportar CSV…</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Fe&amp;char</translation>
    </message>
    <message>
        <source>Read the log again</source>
        <translation>Ler o registo novamente</translation>
    </message>
    <message>
        <source>Close the audit log</source>
        <translation>Fechar o registo de auditoria</translation>
    </message>
    <message>
        <source>Name, MRN or date of birth</source>
        <translation>Nome, n.º de processo ou data de nascimento</translation>
    </message>
    <message>
        <source>Any patient</source>
        <translation>Qualquer doente</translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation>Doentes encontrados</translation>
    </message>
    <message>
        <source>Any user</source>
        <translation>Qualquer utilizador</translation>
    </message>
    <message>
        <source>{name} ({username}, {role})</source>
        <translation>{name} ({username}, {role})</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>Todas as ações</translation>
    </message>
    <message>
        <source>Date range error</source>
        <translation>Erro no intervalo de datas</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Atuali&amp;zar</translation>
    </message>
    <message>
        <source>Read the audit log again (F5)</source>
        <translation>Ler o registo de auditoria novamente (F5)</translation>
    </message>
    <message>
        <source>&amp;Patient</source>
        <translation>&amp;Doente</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>&amp;Utilizador</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>Des&amp;de</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>A&amp;té</translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation>&amp;Ação</translation>
    </message>
    <message>
        <source>{name} · {mrn} · born {born}</source>
        <translation>{name} · {mrn} · nascido(a) a {born}</translation>
    </message>
    <message>
        <source>No patient matches; showing any patient</source>
        <translation>Nenhum doente corresponde; a mostrar qualquer doente</translation>
    </message>
    <message>
        <source>To ({until}) is before From ({since}); choose a later To date.</source>
        <translation>Até ({until}) é anterior a Desde ({since}); escolha uma data Até posterior.</translation>
    </message>
    <message>
        <source>1 entry shown</source>
        <translation>1 entrada apresentada</translation>
    </message>
    <message>
        <source>{n} entries shown</source>
        <translation>{n} entradas apresentadas</translation>
    </message>
    <message>
        <source> (more available)</source>
        <translation> (há mais)</translation>
    </message>
    <message>
        <source>no signed-in user</source>
        <translation>sem utilizador com sessão iniciada</translation>
    </message>
    <message>
        <source>Entry {id}: {action} on {record} by {who} at {time}</source>
        <translation>Entrada {id}: {action} em {record} por {who} às {time}</translation>
    </message>
    <message>
        <source>no earlier values (a new record or event)</source>
        <translation>sem valores anteriores (um registo ou acontecimento novo)</translation>
    </message>
    <message>
        <source>Not exported: {reason}</source>
        <translation>Não exportado: {reason}</translation>
    </message>
    <message>
        <source>Not exported: {path} could not be written ({reason}).</source>
        <translation>Não exportado: não foi possível escrever {path} ({reason}).</translation>
    </message>
    <message>
        <source>Exported 1 entry to {path}.</source>
        <translation>1 entrada exportada para {path}.</translation>
    </message>
    <message>
        <source>Exported {count} entries to {path}.</source>
        <translation>{count} entradas exportadas para {path}.</translation>
    </message>
</context>
<context>
    <name>BackupActions</name>
    <message>
        <source>&amp;Back up now…</source>
        <translation>Fazer &amp;cópia de segurança agora…</translation>
    </message>
    <message>
        <source>Copy the database now, into a folder you choose</source>
        <translation>Copiar a base de dados agora, para uma pasta à sua escolha</translation>
    </message>
    <message>
        <source>&amp;Restore…</source>
        <translation>&amp;Restaurar…</translation>
    </message>
    <message>
        <source>Replace the database with a backup</source>
        <translation>Substituir a base de dados por uma cópia de segurança</translation>
    </message>
    <message>
        <source>Backing up and verifying the database…</source>
        <translation>A copiar e a verificar a base de dados…</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>Fazer cópia de segurança agora</translation>
    </message>
    <message>
        <source>The backups folder cannot be read: {error}</source>
        <translation>Não é possível ler a pasta das cópias de segurança: {error}</translation>
    </message>
    <message>
        <source>Close the other kapdesk windows first, then choose Restore again; nothing was changed.</source>
        <translation>Feche primeiro as outras janelas do kapdesk e escolha Restaurar novamente; nada foi alterado.</translation>
    </message>
    <message>
        <source>The board is still waiting for the database to answer a query; a restore now would replace the file under it. Nothing was changed: try Restore again in a minute.</source>
        <translation>O quadro ainda aguarda a resposta da base de dados a uma consulta; restaurar agora substituiria o ficheiro que está a ler. Nada foi alterado: tente Restaurar novamente daqui a um minuto.</translation>
    </message>
    <message>
        <source>Checking and restoring the backup…</source>
        <translation>A verificar e a restaurar a cópia de segurança…</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Restaurar</translation>
    </message>
    <message>
        <source>Backup saved: {path} ({size}), verified.</source>
        <translation>Cópia de segurança guardada: {path} ({size}), verificada.</translation>
    </message>
    <message>
        <source>Backup saved: {path} ({size}), did NOT verify.</source>
        <translation>Cópia de segurança guardada: {path} ({size}), NÃO foi verificada com sucesso.</translation>
    </message>
    <message>
        <source>Daily backup saved.</source>
        <translation>Cópia de segurança diária guardada.</translation>
    </message>
    <message>
        <source>The database now holds the content of {name}.</source>
        <translation>A base de dados contém agora o conteúdo de {name}.</translation>
    </message>
    <message>
        <source> The database as it was is kept at {path}.</source>
        <translation> A base de dados tal como estava foi guardada em {path}.</translation>
    </message>
    <message>
        <source>Everyone is signed out: sign in again.</source>
        <translation>A sessão de todos foi terminada: inicie sessão novamente.</translation>
    </message>
    <message>
        <source>Restore complete</source>
        <translation>Restauro concluído</translation>
    </message>
    <message>
        <source>The daily backup failed: {error}</source>
        <translation>A cópia de segurança diária falhou: {error}</translation>
    </message>
</context>
<context>
    <name>BackupDone</name>
    <message>
        <source>Back up now – choose where the backup goes (e.g. a USB drive)</source>
        <translation>Fazer cópia de segurança agora – escolha onde guardar a cópia (p. ex. uma pen USB)</translation>
    </message>
    <message>
        <source>Folder: {folder}
File: {file} ({size})</source>
        <translation>Pasta: {folder}
Ficheiro: {file} ({size})</translation>
    </message>
    <message>
        <source>It was read back and verified: integrity, foreign keys, schema, and the audit trail of 1 entry intact. File &gt; Restore… can restore it. Keep the drive somewhere safe, away from this computer.</source>
        <translation>Foi lida de novo e verificada: integridade, chaves estrangeiras, esquema e o registo de auditoria de 1 entrada intactos. Ficheiro &gt; Restaurar… pode restaurá-la. Guarde a pen num local seguro, longe deste computador.</translation>
    </message>
    <message>
        <source>It was read back and verified: integrity, foreign keys, schema, and the audit trail of {entries} entries intact. File &gt; Restore… can restore it. Keep the drive somewhere safe, away from this computer.</source>
        <translation>Foi lida de novo e verificada: integridade, chaves estrangeiras, esquema e o registo de auditoria de {entries} entradas intactos. Ficheiro &gt; Restaurar… pode restaurá-la. Guarde a pen num local seguro, longe deste computador.</translation>
    </message>
    <message>
        <source>The backup was saved and verified.</source>
        <translation>A cópia de segurança foi guardada e verificada.</translation>
    </message>
    <message>
        <source>Reading it back found:</source>
        <translation>Ao lê-la de novo, foi encontrado:</translation>
    </message>
    <message>
        <source>Do not rely on this copy: check the drive and choose Back up now again.</source>
        <translation>Não confie nesta cópia: verifique a pen e escolha Fazer cópia de segurança agora novamente.</translation>
    </message>
    <message>
        <source>The backup was written but did not verify.</source>
        <translation>A cópia de segurança foi escrita, mas a verificação falhou.</translation>
    </message>
    <message>
        <source>Backup saved</source>
        <translation>Cópia de segurança guardada</translation>
    </message>
    <message>
        <source>Backup did not verify</source>
        <translation>A cópia de segurança não foi verificada</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Doente</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Since dose</source>
        <translation>Desde a dose</translation>
    </message>
    <message>
        <source>Next reading</source>
        <translation>Próxima medição</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Avisos</translation>
    </message>
    <message>
        <source>No room</source>
        <translation>Sem sala</translation>
    </message>
    <message>
        <source>Room {room}</source>
        <translation>Sala {room}</translation>
    </message>
    <message>
        <source>after check-in · {reading}</source>
        <translation>após a admissão · {reading}</translation>
    </message>
    <message>
        <source>due in {time} · {reading}</source>
        <translation>devida daqui a {time} · {reading}</translation>
    </message>
    <message>
        <source>due now · {reading}</source>
        <translation>devida agora · {reading}</translation>
    </message>
    <message>
        <source>due now, closes in {time} · {reading}</source>
        <translation>devida agora, fecha daqui a {time} · {reading}</translation>
    </message>
    <message>
        <source>overdue {time} · {reading}</source>
        <translation>em atraso há {time} · {reading}</translation>
    </message>
    <message>
        <source>{reading} missed</source>
        <translation>{reading}: falhada</translation>
    </message>
    <message>
        <source>{band} {value} at {time}: {rule}, {protocol}</source>
        <translation>{band} {value} às {time}: {rule}, {protocol}</translation>
    </message>
    <message>
        <source>{patient}, MRN {mrn}</source>
        <translation>{patient}, n.º processo {mrn}</translation>
    </message>
    <message>
        <source>{reading}: from {time}</source>
        <translation>{reading}: a partir das {time}</translation>
    </message>
</context>
<context>
    <name>BoardStore</name>
    <message>
        <source>The board query has not come back for {seconds} s (the database does not answer); the rows shown may be old.</source>
        <translation>A leitura do quadro não responde há {seconds} s (a base de dados não responde); as linhas mostradas podem estar desatualizadas.</translation>
    </message>
    <message>
        <source>The board could not be read (details in the log); trying again every second.</source>
        <translation>Não foi possível ler o quadro (detalhes no ficheiro de registo); nova tentativa a cada segundo.</translation>
    </message>
</context>
<context>
    <name>BpChart</name>
    <message>
        <source>systolic</source>
        <translation>sistólica</translation>
    </message>
    <message>
        <source>diastolic</source>
        <translation>diastólica</translation>
    </message>
    <message>
        <source>Blood pressure chart</source>
        <translation>Gráfico da tensão arterial</translation>
    </message>
    <message>
        <source>mmHg  /  pulse /min</source>
        <translation>mmHg  /  pulso /min</translation>
    </message>
    <message>
        <source>Minutes from first dose</source>
        <translation>Minutos desde a primeira dose</translation>
    </message>
    <message>
        <source>Systolic</source>
        <translation>Sistólica</translation>
    </message>
    <message>
        <source>Diastolic</source>
        <translation>Diastólica</translation>
    </message>
    <message>
        <source>Pulse</source>
        <translation>Pulso</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Choose a new password</source>
        <translation>Escolha uma nova palavra-passe</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Alterar a palavra-passe</translation>
    </message>
    <message>
        <source>{title} – DEMO</source>
        <translation>{title} – DEMONSTRAÇÃO</translation>
    </message>
    <message>
        <source>{name}, an administrator has reset your password. Choose your own password now (at least 10 characters) to continue; Esc or Sign out cancels the sign-in.</source>
        <translation>{name}, um administrador repôs a sua palavra-passe. Escolha agora a sua própria palavra-passe (pelo menos 10 caracteres) para continuar; Esc ou Terminar sessão cancela o início de sessão.</translation>
    </message>
    <message>
        <source>Change the password of {name} ({username}).</source>
        <translation>Alterar a palavra-passe de {name} ({username}).</translation>
    </message>
    <message>
        <source>&amp;New password</source>
        <translation>&amp;Nova palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Repeat new password</source>
        <translation>&amp;Repetir a nova palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Current password</source>
        <translation>Palavra-passe &amp;atual</translation>
    </message>
    <message>
        <source>Password message</source>
        <translation>Mensagem da palavra-passe</translation>
    </message>
    <message>
        <source>Change &amp;password</source>
        <translation>Alterar a &amp;palavra-passe</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Terminar sessão</translation>
    </message>
    <message>
        <source>Repeat new password does not match; type it again.</source>
        <translation>Repetir a nova palavra-passe não coincide; escreva-a novamente.</translation>
    </message>
</context>
<context>
    <name>CheckInDialog</name>
    <message>
        <source>Check in</source>
        <translation>Admissão</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <source>choose or type a room</source>
        <translation>escolha ou escreva uma sala</translation>
    </message>
    <message>
        <source>{room} (in use)</source>
        <translation>{room} (ocupada)</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>&amp;Sala</translation>
    </message>
    <message>
        <source>Reason for a second dosing session today</source>
        <translation>Motivo para uma segunda sessão de administração hoje</translation>
    </message>
    <message>
        <source>Reason for a &amp;second dose today</source>
        <translation>&amp;Motivo para uma segunda dose hoje</translation>
    </message>
    <message>
        <source>Check &amp;in</source>
        <translation>&amp;Admitir</translation>
    </message>
    <message>
        <source>earlier</source>
        <translation>mais cedo</translation>
    </message>
    <message>
        <source>{patient} was already dosed today (session #{id} at {time}). A second dosing session on one day needs your confirmation with a reason; it is recorded with your name.</source>
        <translation>{patient} já recebeu uma dose hoje (sessão n.º {id}, {time}). Uma segunda sessão de administração no mesmo dia precisa da sua confirmação com um motivo; fica registada com o seu nome.</translation>
    </message>
</context>
<context>
    <name>ChecklistPage</name>
    <message>
        <source>Pre-session checklist</source>
        <translation>Lista de verificação pré-sessão</translation>
    </message>
    <message>
        <source>Check &amp;in</source>
        <translation>Ad&amp;mitir</translation>
    </message>
    <message>
        <source>Checklist gate</source>
        <translation>Bloqueio da lista de verificação</translation>
    </message>
    <message>
        <source>Checklist message</source>
        <translation>Mensagem da lista de verificação</translation>
    </message>
    <message>
        <source>&amp;Weight today</source>
        <translation>&amp;Peso hoje</translation>
    </message>
    <message>
        <source>{field} error</source>
        <translation>Erro em {field}</translation>
    </message>
    <message>
        <source>Scheduled for {time}. Check the patient in to start the checklist.</source>
        <translation>Agendada para as {time}. Admita o doente para iniciar a lista de verificação.</translation>
    </message>
    <message>
        <source>Checked in at {time}.</source>
        <translation>Admitido às {time}.</translation>
    </message>
    <message>
        <source> The checklist is closed once the dose is given.</source>
        <translation> A lista de verificação fecha quando a dose é administrada.</translation>
    </message>
    <message>
        <source>complete the checklist</source>
        <translation>preencher a lista de verificação</translation>
    </message>
    <message>
        <source>Dose refused: {reason}</source>
        <translation>Dose recusada: {reason}</translation>
    </message>
    <message>
        <source>Blocks the dose until answered yes or overridden.</source>
        <translation>Bloqueia a dose até ser respondido sim ou ser autorizada uma exceção.</translation>
    </message>
    <message>
        <source>{field} &apos;{text}&apos; is not a number.</source>
        <translation>{field}: &apos;{text}&apos; não é um número.</translation>
    </message>
</context>
<context>
    <name>ClinicSettingsActions</name>
    <message>
        <source>Clinic &amp;settings…</source>
        <translation>&amp;Definições da clínica…</translation>
    </message>
    <message>
        <source>Clinic name, idle lock, backups and the default protocol</source>
        <translation>Nome da clínica, bloqueio por inatividade, cópias de segurança e protocolo predefinido</translation>
    </message>
    <message>
        <source>Clinic settings status</source>
        <translation>Estado das definições da clínica</translation>
    </message>
    <message>
        <source>Clinic settings: 1 stored value is not valid (defaults in use); an administrator can correct them in Admin &gt; Clinic settings.</source>
        <translation>Definições da clínica: 1 valor guardado não é válido (em uso o valor predefinido); um administrador pode corrigi-lo em Administração &gt; Definições da clínica.</translation>
    </message>
    <message>
        <source>Clinic settings: {count} stored values are not valid (defaults in use); an administrator can correct them in Admin &gt; Clinic settings.</source>
        <translation>Definições da clínica: {count} valores guardados não são válidos (em uso os valores predefinidos); um administrador pode corrigi-los em Administração &gt; Definições da clínica.</translation>
    </message>
    <message>
        <source>Clinic settings saved.</source>
        <translation>Definições da clínica guardadas.</translation>
    </message>
</context>
<context>
    <name>ClinicSettingsDialog</name>
    <message>
        <source>the folder &apos;backups&apos; beside the database</source>
        <translation>a pasta &apos;backups&apos; junto à base de dados</translation>
    </message>
    <message>
        <source> minutes</source>
        <translation> minutos</translation>
    </message>
    <message>
        <source> days</source>
        <translation> dias</translation>
    </message>
    <message>
        <source> weeks</source>
        <translation> semanas</translation>
    </message>
    <message>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <source>Choose the backup folder</source>
        <translation>Escolha a pasta das cópias de segurança</translation>
    </message>
    <message>
        <source>Clinic settings</source>
        <translation>Definições da clínica</translation>
    </message>
    <message>
        <source>These settings apply to every workstation using this database. Each change is recorded in the audit log with its old and new value.</source>
        <translation>Estas definições aplicam-se a todos os postos de trabalho que usam esta base de dados. Cada alteração fica no registo de auditoria com o valor antigo e o novo.</translation>
    </message>
    <message>
        <source>Settings problems</source>
        <translation>Problemas nas definições</translation>
    </message>
    <message>
        <source>Printed at the top of every summary and in the title bar</source>
        <translation>Impresso no topo de cada resumo e na barra de título</translation>
    </message>
    <message>
        <source>The newest automatic backup of each of this many days</source>
        <translation>A cópia de segurança automática mais recente de cada um destes dias</translation>
    </message>
    <message>
        <source>The newest automatic backup of each of this many weeks</source>
        <translation>A cópia de segurança automática mais recente de cada uma destas semanas</translation>
    </message>
    <message>
        <source>The automatic backups kept never take more than this together</source>
        <translation>As cópias de segurança automáticas guardadas nunca ocupam, no total, mais do que isto</translation>
    </message>
    <message>
        <source>C&amp;hoose…</source>
        <translation>&amp;Escolher…</translation>
    </message>
    <message>
        <source>&amp;Default</source>
        <translation>&amp;Usar predefinida</translation>
    </message>
    <message>
        <source>Use the folder &apos;backups&apos; beside the database</source>
        <translation>Usar a pasta &apos;backups&apos; junto à base de dados</translation>
    </message>
    <message>
        <source>Clinic &amp;name</source>
        <translation>&amp;Nome da clínica</translation>
    </message>
    <message>
        <source>&amp;Idle lock after</source>
        <translation>&amp;Bloqueio por inatividade após</translation>
    </message>
    <message>
        <source>Backup &amp;folder</source>
        <translation>&amp;Pasta das cópias de segurança</translation>
    </message>
    <message>
        <source>Daily backups &amp;kept</source>
        <translation>Cópias &amp;diárias guardadas</translation>
    </message>
    <message>
        <source>&amp;Weekly backups kept</source>
        <translation>Cópias &amp;semanais guardadas</translation>
    </message>
    <message>
        <source>Backup size &amp;cap</source>
        <translation>&amp;Limite de tamanho das cópias</translation>
    </message>
    <message>
        <source>Default &amp;protocol</source>
        <translation>P&amp;rotocolo predefinido</translation>
    </message>
    <message>
        <source>Backup folder</source>
        <translation>Pasta das cópias de segurança</translation>
    </message>
    <message>
        <source>Of the automatic backups (on exit and daily), kapdesk keeps the newest of each of those days and of each of those weeks (Monday to Sunday), newest first as long as they fit in the size cap; the newest is always kept. Backups made with Back up now are never deleted and do not count toward the cap. A folder on a removable drive must be connected when a backup is made.</source>
        <translation>Das cópias de segurança automáticas (ao sair e diárias), o kapdesk guarda a mais recente de cada um desses dias e de cada uma dessas semanas (de segunda a domingo), das mais recentes para as mais antigas, enquanto couberem no limite de tamanho; a mais recente é sempre guardada. As cópias feitas com Fazer cópia de segurança agora nunca são apagadas e não contam para o limite. Uma pasta numa unidade amovível tem de estar ligada quando é feita uma cópia.</translation>
    </message>
    <message>
        <source>Former backup setting</source>
        <translation>Definição anterior das cópias de segurança</translation>
    </message>
    <message>
        <source>Settings message</source>
        <translation>Mensagem das definições</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>Daily backups kept is read from the former setting Backups to keep ({old}): the newest backup of each of the last {days} days. Save stores it in days.</source>
        <translation>Cópias diárias guardadas é lido da definição anterior Cópias a guardar ({old}): a cópia mais recente de cada um dos últimos {days} dias. Guardar regista-o em dias.</translation>
    </message>
</context>
<context>
    <name>CohortPlot</name>
    <message>
        <source>PHQ-9 trajectories plot</source>
        <translation>Gráfico das trajetórias do PHQ-9</translation>
    </message>
    <message>
        <source>PHQ-9 total</source>
        <translation>Total do PHQ-9</translation>
    </message>
    <message>
        <source>Weeks since the course started</source>
        <translation>Semanas desde o início do ciclo</translation>
    </message>
</context>
<context>
    <name>CohortSavePath</name>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Documentos PDF (*.pdf)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Ficheiros CSV (*.csv)</translation>
    </message>
    <message>
        <source>Save cohort outcomes</source>
        <translation>Guardar os resultados da coorte</translation>
    </message>
</context>
<context>
    <name>CohortWindow</name>
    <message>
        <source>Open and ended courses</source>
        <translation>Ciclos abertos e terminados</translation>
    </message>
    <message>
        <source>Open courses</source>
        <translation>Ciclos abertos</translation>
    </message>
    <message>
        <source>Ended courses</source>
        <translation>Ciclos terminados</translation>
    </message>
    <message>
        <source>Cohort outcomes – DEMO</source>
        <translation>Resultados da coorte – DEMONSTRAÇÃO</translation>
    </message>
    <message>
        <source>Cohort outcomes</source>
        <translation>Resultados da coorte</translation>
    </message>
    <message>
        <source>Cohort summary</source>
        <translation>Resumo da coorte</translation>
    </message>
    <message>
        <source>Definitions used</source>
        <translation>Definições usadas</translation>
    </message>
    <message>
        <source>Courses</source>
        <translation>Ciclos</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>All protocols</source>
        <translation>Todos os protocolos</translation>
    </message>
    <message>
        <source>Started from</source>
        <translation>Início desde</translation>
    </message>
    <message>
        <source>Started to</source>
        <translation>Início até</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>DD/MM/AAAA</translation>
    </message>
    <message>
        <source>Course status</source>
        <translation>Estado do ciclo</translation>
    </message>
    <message>
        <source>S&amp;how</source>
        <translation>&amp;Mostrar</translation>
    </message>
    <message>
        <source>&amp;Protocol</source>
        <translation>P&amp;rotocolo</translation>
    </message>
    <message>
        <source>Started &amp;from</source>
        <translation>Início d&amp;esde</translation>
    </message>
    <message>
        <source>&amp;to</source>
        <translation>&amp;até</translation>
    </message>
    <message>
        <source>St&amp;atus</source>
        <translation>Es&amp;tado</translation>
    </message>
    <message>
        <source>Save as P&amp;DF…</source>
        <translation>Guardar como &amp;PDF…</translation>
    </message>
    <message>
        <source>Save as &amp;CSV…</source>
        <translation>Guardar como &amp;CSV…</translation>
    </message>
    <message>
        <source>Could not save {path}: {error}</source>
        <translation>Não foi possível guardar {path}: {error}</translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <source>%n readings missed</source>
        <translation>
            <numerusform>%n medição falhada</numerusform>
            <numerusform>%n medições falhadas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more due</source>
        <translation>
            <numerusform>mais %n devida</numerusform>
            <numerusform>mais %n devidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n patients are in monitoring ({who}). Quit anyway?</source>
        <translation>
            <numerusform>%n doente está em monitorização ({who}). Sair mesmo assim?</numerusform>
            <numerusform>%n doentes estão em monitorização ({who}). Sair mesmo assim?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n courses</source>
        <translation>
            <numerusform>%n ciclo</numerusform>
            <numerusform>%n ciclos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DemoBuildWindow</name>
    <message>
        <source>Creating the demo clinic (first use only; it takes less than a minute)…</source>
        <translation>A criar a clínica de demonstração (só na primeira utilização; demora menos de um minuto)…</translation>
    </message>
    <message>
        <source>Rebuilding the demo clinic around today (it takes less than a minute)…</source>
        <translation>A refazer a clínica de demonstração à volta de hoje (demora menos de um minuto)…</translation>
    </message>
    <message>
        <source>Demo clinic</source>
        <translation>Clínica de demonstração</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>A começar…</translation>
    </message>
    <message>
        <source>The demo clinic was made for {day}. Rebuild it around today?</source>
        <translation>A clínica de demonstração foi feita para {day}. Refazê-la à volta de hoje?</translation>
    </message>
    <message>
        <source>Rebuilding replaces the demo&apos;s patients and sessions with new ones around today; it takes less than a minute and keeps the current one as {file} (replacing any earlier copy there). Keep opens it as it is.</source>
        <translation>Refazer substitui os doentes e as sessões da demonstração por novos, à volta de hoje; demora menos de um minuto e guarda a atual como {file} (substituindo qualquer cópia anterior). Manter abre-a tal como está.</translation>
    </message>
    <message>
        <source>&amp;Rebuild</source>
        <translation>&amp;Refazer</translation>
    </message>
    <message>
        <source>&amp;Keep</source>
        <translation>&amp;Manter</translation>
    </message>
    <message>
        <source>The demo clinic was made for {day} and has {added} added since then, so it is not rebuilt around today.</source>
        <translation>A clínica de demonstração foi feita para {day} e tem {added} acrescentados desde então, por isso não é refeita à volta de hoje.</translation>
    </message>
    <message>
        <source>It looks like real use of {file}. Keep opens it as it is. Copy what you need, or make a new demo clinic in another file with kapdesk demo --db NEWPATH.</source>
        <translation>Parece uso real de {file}. Manter abre-a tal como está. Copie o que precisar, ou crie uma nova clínica de demonstração noutro ficheiro com kapdesk demo --db NOVOCAMINHO.</translation>
    </message>
    <message>
        <source>Loading the demo generator</source>
        <translation>A carregar o gerador da demonstração</translation>
    </message>
    <message>
        <source>The demo clinic could not be created: {why}. Any earlier demo clinic was left as it was; details are in the log.</source>
        <translation>Não foi possível criar a clínica de demonstração: {why}. Uma clínica de demonstração anterior ficou como estava; os detalhes estão no ficheiro de registo.</translation>
    </message>
    <message>
        <source>The demo clinic could not be rebuilt: {why}. Any earlier demo clinic was left as it was; details are in the log.</source>
        <translation>Não foi possível refazer a clínica de demonstração: {why}. Uma clínica de demonstração anterior ficou como estava; os detalhes estão no ficheiro de registo.</translation>
    </message>
</context>
<context>
    <name>DiscardQuestion</name>
    <message>
        <source>Unsaved input</source>
        <translation>Dados por guardar</translation>
    </message>
    <message>
        <source>Discard the unsaved {thing}?</source>
        <translation>Descartar o que não foi guardado ({thing})?</translation>
    </message>
    <message>
        <source>What was typed has not been saved.</source>
        <translation>O que foi escrito não foi guardado.</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>&amp;Descartar</translation>
    </message>
    <message>
        <source>&amp;Keep editing</source>
        <translation>Continuar a &amp;editar</translation>
    </message>
    <message>
        <source>&amp;Back to the form</source>
        <translation>&amp;Voltar ao formulário</translation>
    </message>
    <message>
        <source>session note</source>
        <translation>nota da sessão</translation>
    </message>
</context>
<context>
    <name>DischargePage</name>
    <message>
        <source>Discharge</source>
        <translation>Alta</translation>
    </message>
    <message>
        <source>Discharge time</source>
        <translation>Hora da alta</translation>
    </message>
    <message>
        <source>Discharge time error</source>
        <translation>Erro na hora da alta</translation>
    </message>
    <message>
        <source>Discharge &amp;time</source>
        <translation>&amp;Hora da alta</translation>
    </message>
    <message>
        <source>&amp;Discharge</source>
        <translation>&amp;Dar alta</translation>
    </message>
    <message>
        <source>Discharge message</source>
        <translation>Mensagem da alta</translation>
    </message>
    <message>
        <source>Discharge outcome</source>
        <translation>Resultado da alta</translation>
    </message>
    <message>
        <source>{against_criteria} (at {time})</source>
        <translation>{against_criteria} (às {time})</translation>
    </message>
    <message>
        <source>Criteria as recorded at discharge: {summary}.</source>
        <translation>Critérios como registados na alta: {summary}.</translation>
    </message>
    <message>
        <source>✓  Discharged at {time}; all criteria met.</source>
        <translation>✓  Alta às {time}; todos os critérios cumpridos.</translation>
    </message>
    <message>
        <source>Criteria as recorded at discharge.</source>
        <translation>Critérios como registados na alta.</translation>
    </message>
    <message>
        <source> Discharging before it is met needs a clinician and a reason.</source>
        <translation> Dar alta antes de ser cumprido exige um clínico e um motivo.</translation>
    </message>
    <message>
        <source> Discharging before they are met needs a clinician and a reason.</source>
        <translation> Dar alta antes de serem cumpridos exige um clínico e um motivo.</translation>
    </message>
    <message>
        <source>discharge</source>
        <translation>dar alta</translation>
    </message>
    <message>
        <source>The session is {state}: there is nothing to discharge.</source>
        <translation>Estado da sessão: {state}; não há alta a dar.</translation>
    </message>
    <message>
        <source>Discharge comes after the dose and monitoring.</source>
        <translation>A alta vem depois da dose e da monitorização.</translation>
    </message>
    <message>
        <source>Discharge with unmet criteria</source>
        <translation>Alta com critérios por cumprir</translation>
    </message>
    <message>
        <source>Not met: {criteria}. Discharging anyway needs your reason; it is stored with the session.</source>
        <translation>Por cumprir: {criteria}. Dar alta mesmo assim exige o seu motivo; fica guardado com a sessão.</translation>
    </message>
    <message>
        <source>&amp;Discharge anyway</source>
        <translation>&amp;Dar alta mesmo assim</translation>
    </message>
</context>
<context>
    <name>DosePage</name>
    <message>
        <source>Dose</source>
        <translation>Dose</translation>
    </message>
    <message>
        <source>&amp;Medication</source>
        <translation>&amp;Medicamento</translation>
    </message>
    <message>
        <source>Rout&amp;e</source>
        <translation>&amp;Via</translation>
    </message>
    <message>
        <source>Dose calculation</source>
        <translation>Cálculo da dose</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Time error</source>
        <translation>Erro na hora</translation>
    </message>
    <message>
        <source>&amp;Time</source>
        <translation>&amp;Hora</translation>
    </message>
    <message>
        <source>Lot number error</source>
        <translation>Erro no número de lote</translation>
    </message>
    <message>
        <source>&amp;Lot number</source>
        <translation>Número de &amp;lote</translation>
    </message>
    <message>
        <source>Given by error</source>
        <translation>Erro em administrada por</translation>
    </message>
    <message>
        <source>Gi&amp;ven by</source>
        <translation>Administrada &amp;por</translation>
    </message>
    <message>
        <source>Booster</source>
        <translation>Reforço</translation>
    </message>
    <message>
        <source>&amp;Record dose</source>
        <translation>&amp;Registar dose</translation>
    </message>
    <message>
        <source>Record &amp;override…</source>
        <translation>Registar autori&amp;zação de exceção…</translation>
    </message>
    <message>
        <source>Dose gate</source>
        <translation>Bloqueio de dose</translation>
    </message>
    <message>
        <source>Overrides recorded</source>
        <translation>Autorizações de exceção registadas</translation>
    </message>
    <message>
        <source>Dose message</source>
        <translation>Mensagem da dose</translation>
    </message>
    <message>
        <source>Amount error</source>
        <translation>Erro na quantidade</translation>
    </message>
    <message>
        <source>&amp;Unit</source>
        <translation>&amp;Unidade</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Unidade</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>&amp;Quantidade</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Quantidade</translation>
    </message>
    <message>
        <source>&amp;Devices</source>
        <translation>&amp;Dispositivos</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Dispositivos</translation>
    </message>
    <message>
        <source>devices</source>
        <translation>dispositivos</translation>
    </message>
    <message>
        <source>Enter the amount in {unit}.</source>
        <translation>Introduza a quantidade em {unit}.</translation>
    </message>
    <message>
        <source>Above the maximum: {limit} A clinician must confirm it.</source>
        <translation>Acima do máximo: {limit} Um clínico tem de a confirmar.</translation>
    </message>
    <message>
        <source>To acknowledge with the dose: {warnings}</source>
        <translation>Conhecimento a registar com a dose: {warnings}</translation>
    </message>
    <message>
        <source>record doses</source>
        <translation>registar doses</translation>
    </message>
    <message>
        <source>No weight today yet (step 1): doses can be entered in mg only.</source>
        <translation>Ainda sem o peso de hoje (passo 1): as doses só podem ser introduzidas em mg.</translation>
    </message>
    <message>
        <source>Booster: this will be dose {n}.</source>
        <translation>Dose de reforço: esta será a dose {n}.</translation>
    </message>
    <message>
        <source>Dose refused: {reason}</source>
        <translation>Dose recusada: {reason}</translation>
    </message>
    <message>
        <source>Only a clinician may record an override (name and reason).</source>
        <translation>Só um clínico pode registar uma autorização de exceção (nome e motivo).</translation>
    </message>
    <message>
        <source>dose</source>
        <translation>dose</translation>
    </message>
    <message>
        <source>dose lot number</source>
        <translation>número de lote da dose</translation>
    </message>
    <message>
        <source>{calculation}. {limit} Confirm this dose and give the reason; the confirmation is kept with the dose record.</source>
        <translation>{calculation}. {limit} Confirme esta dose e indique o motivo; a confirmação fica guardada com o registo da dose.</translation>
    </message>
    <message>
        <source>Dose above the protocol maximum</source>
        <translation>Dose acima do máximo do protocolo</translation>
    </message>
    <message>
        <source>&amp;Confirm dose</source>
        <translation>Confirmar &amp;dose</translation>
    </message>
    <message>
        <source>This dose will be stored with these warnings:</source>
        <translation>Esta dose será guardada com estes avisos:</translation>
    </message>
    <message>
        <source>Medication</source>
        <translation>Medicamento</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Via</translation>
    </message>
    <message>
        <source>mg</source>
        <translation>mg</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>Lote</translation>
    </message>
    <message>
        <source>Given by</source>
        <translation>Administrada por</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
    <message>
        <source>1 device</source>
        <translation>1 dispositivo</translation>
    </message>
    <message>
        <source>{n} devices</source>
        <translation>{n} dispositivos</translation>
    </message>
    <message>
        <source> = {mg_per_kg} mg/kg at {weight} kg</source>
        <translation> = {mg_per_kg} mg/kg para {weight} kg</translation>
    </message>
    <message>
        <source>Above max, confirmed by {name}: {reason}</source>
        <translation>Acima do máximo, confirmada por {name}: {reason}</translation>
    </message>
    <message>
        <source>Acknowledged: {warning}</source>
        <translation>Conhecimento registado: {warning}</translation>
    </message>
    <message>
        <source>booster</source>
        <translation>reforço</translation>
    </message>
    <message>
        <source>first</source>
        <translation>primeira</translation>
    </message>
    <message>
        <source>Doses given</source>
        <translation>Doses administradas</translation>
    </message>
    <message>
        <source>Override checklist item</source>
        <translation>Autorizar exceção a um item da lista de verificação</translation>
    </message>
    <message>
        <source>{reason} Dosing past it needs the prescriber&apos;s name and a reason; both are stored with the session.</source>
        <translation>{reason} Administrar apesar disso exige o nome do prescritor e um motivo; ambos ficam guardados com a sessão.</translation>
    </message>
    <message>
        <source>Override pre-dose hold</source>
        <translation>Autorizar exceção à suspensão pré-dose</translation>
    </message>
    <message>
        <source>Override booster gate</source>
        <translation>Autorizar exceção ao bloqueio da dose de reforço</translation>
    </message>
    <message>
        <source>{reason} The override names this reading; the prescriber&apos;s name and the reason are stored with the session.</source>
        <translation>{reason} A autorização de exceção refere esta medição; o nome do prescritor e o motivo ficam guardados com a sessão.</translation>
    </message>
    <message>
        <source>Record the pre-dose vitals first (step 2).</source>
        <translation>Registe primeiro os sinais vitais pré-dose (passo 2).</translation>
    </message>
    <message>
        <source>Booster on hold: refused until the gate below is lifted.</source>
        <translation>Dose de reforço suspensa: recusada até o bloqueio abaixo ser levantado.</translation>
    </message>
    <message>
        <source>Dose on hold: refused until the gate below is lifted.</source>
        <translation>Dose suspensa: recusada até o bloqueio abaixo ser levantado.</translation>
    </message>
    <message>
        <source>The session is {state}: no more doses.</source>
        <translation>Estado da sessão: {state}; não há mais doses.</translation>
    </message>
</context>
<context>
    <name>DuplicateChoice</name>
    <message>
        <source>Possible duplicate</source>
        <translation>Possível duplicado</translation>
    </message>
    <message>
        <source>A patient with this name and date of birth is registered already. Open that patient, or add this one as a different person?</source>
        <translation>Já está registado um doente com este nome e esta data de nascimento. Abrir esse doente, ou adicionar este como uma pessoa diferente?</translation>
    </message>
    <message>
        <source>&amp;Open existing patient</source>
        <translation>&amp;Abrir o doente existente</translation>
    </message>
    <message>
        <source>&amp;Create anyway</source>
        <translation>&amp;Criar mesmo assim</translation>
    </message>
</context>
<context>
    <name>EditConflictDialog</name>
    <message>
        <source>Free text</source>
        <translation>Texto livre</translation>
    </message>
    <message>
        <source>Your text stays and autosave pauses; only Ctrl+S then saves it over theirs.</source>
        <translation>O seu texto fica e a gravação automática pausa; depois, só Ctrl+S o guarda por cima do outro.</translation>
    </message>
    <message>
        <source>Your text is kept here and autosave is paused</source>
        <translation>O seu texto fica aqui e a gravação automática está em pausa</translation>
    </message>
    <message>
        <source>press Ctrl+S to save it over theirs</source>
        <translation>prima Ctrl+S para o guardar por cima do outro</translation>
    </message>
    <message>
        <source>Your text stays and autosave pauses; only Ctrl+S then saves it over theirs. Closing, Esc or signing asks again first.</source>
        <translation>O seu texto fica e a gravação automática pausa; depois, só Ctrl+S o guarda por cima do outro. Fechar, Esc ou assinar perguntam de novo primeiro.</translation>
    </message>
    <message>
        <source>press Ctrl+S to save it over theirs; closing or signing asks again first</source>
        <translation>prima Ctrl+S para o guardar por cima do outro; fechar ou assinar perguntam de novo primeiro</translation>
    </message>
    <message>
        <source>Autosave is paused: saving will replace {who}&apos;s text (theirs stays in the audit trail). Press Ctrl+S to save yours; closing or signing asks again first.</source>
        <translation>A gravação automática está em pausa: guardar vai substituir o texto de {who} (esse fica no registo de auditoria). Prima Ctrl+S para guardar o seu; fechar ou assinar perguntam de novo primeiro.</translation>
    </message>
    <message>
        <source>Your changes stay in the form; Save changes then replaces theirs.</source>
        <translation>As suas alterações ficam no formulário; depois, Guardar alterações substitui as outras.</translation>
    </message>
    <message>
        <source>Your changes stay in the form</source>
        <translation>As suas alterações ficam no formulário</translation>
    </message>
    <message>
        <source>Save changes replaces theirs</source>
        <translation>Guardar alterações substitui as outras</translation>
    </message>
    <message>
        <source>{who} changed {what} at {when} while you were editing.</source>
        <translation>{who} alterou {what} às {when} enquanto estava a editar.</translation>
    </message>
    <message>
        <source>{who} changed {what} at {when}. {yours}; {then} (theirs stays in the audit trail).</source>
        <translation>{who} alterou {what} às {when}. {yours}; {then} (o outro texto fica no registo de auditoria).</translation>
    </message>
    <message>
        <source>Fields that differ</source>
        <translation>Campos diferentes</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Campo</translation>
    </message>
    <message>
        <source>{who}&apos;s (saved)</source>
        <translation>De {who} (guardado)</translation>
    </message>
    <message>
        <source>Yours</source>
        <translation>O seu</translation>
    </message>
    <message>
        <source>Changed on another workstation</source>
        <translation>Alterado noutro posto de trabalho</translation>
    </message>
    <message>
        <source>Nothing was saved yet, and nothing is lost: choose what to keep.</source>
        <translation>Ainda nada foi guardado e nada se perde: escolha o que manter.</translation>
    </message>
    <message>
        <source>{who}&apos;s text ({when})</source>
        <translation>Texto de {who} ({when})</translation>
    </message>
    <message>
        <source>Your text (kept)</source>
        <translation>O seu texto (mantido)</translation>
    </message>
    <message>
        <source>&amp;Save mine over theirs</source>
        <translation>&amp;Guardar o meu por cima do outro</translation>
    </message>
    <message>
        <source>Theirs stays in the audit trail.</source>
        <translation>O outro fica no registo de auditoria.</translation>
    </message>
    <message>
        <source>&amp;Take theirs</source>
        <translation>&amp;Usar o outro</translation>
    </message>
    <message>
        <source>Yours is copied to the clipboard.</source>
        <translation>O seu é copiado para a área de transferência.</translation>
    </message>
    <message>
        <source>&amp;Keep editing</source>
        <translation>Continuar a &amp;editar</translation>
    </message>
</context>
<context>
    <name>EnteredInErrorDialog</name>
    <message>
        <source>The entry stays in the record, struck through, with your name, the time and the reason. It no longer counts for alerts, holds, charts, outcomes or discharge.</source>
        <translation>O registo fica no processo, riscado, com o seu nome, a hora e o motivo. Deixa de contar para alertas, suspensões, gráficos, resultados ou alta.</translation>
    </message>
    <message>
        <source>Entered in error</source>
        <translation>Introduzido por erro</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>Registo</translation>
    </message>
    <message>
        <source>what was wrong, e.g. typed 182 for 128</source>
        <translation>o que estava errado, p. ex. escreveu 182 em vez de 128</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Motivo</translation>
    </message>
    <message>
        <source>Entered in error message</source>
        <translation>Mensagem de introduzido por erro</translation>
    </message>
    <message>
        <source>&amp;Mark entered in error</source>
        <translation>Marcar como &amp;introduzido por erro</translation>
    </message>
    <message>
        <source>Sign in to mark an entry entered in error.</source>
        <translation>Inicie sessão para marcar um registo como introduzido por erro.</translation>
    </message>
</context>
<context>
    <name>EntryList</name>
    <message>
        <source>on {date} at {time}</source>
        <translation>em {date} às {time}</translation>
    </message>
    <message>
        <source>at {time}</source>
        <translation>às {time}</translation>
    </message>
    <message>
        <source>Entered in error by {name} {when}: {reason}</source>
        <translation>Marcado como introduzido por erro por {name} {when}: {reason}</translation>
    </message>
    <message>
        <source>Reading {time}</source>
        <translation>Medição {time}</translation>
    </message>
    <message>
        <source>BP {systolic}/{diastolic}</source>
        <translation>TA {systolic}/{diastolic}</translation>
    </message>
    <message>
        <source>pulse {pulse}/min</source>
        <translation>pulso {pulse}/min</translation>
    </message>
    <message>
        <source>SpO2 {spo2} %</source>
        <translation>SpO2 {spo2} %</translation>
    </message>
    <message>
        <source>booster</source>
        <translation>dose de reforço</translation>
    </message>
    <message>
        <source>first dose</source>
        <translation>primeira dose</translation>
    </message>
    <message>
        <source>Dose {time} · {what} · {first}</source>
        <translation>Dose {time} · {what} · {first}</translation>
    </message>
    <message>
        <source>Side effect · {effect}</source>
        <translation>Efeito adverso · {effect}</translation>
    </message>
    <message>
        <source>onset {time}</source>
        <translation>início {time}</translation>
    </message>
    <message>
        <source>Dissociation present</source>
        <translation>Dissociação presente</translation>
    </message>
    <message>
        <source>Dissociation absent</source>
        <translation>Dissociação ausente</translation>
    </message>
    <message>
        <source>Observation {time} · {observation}</source>
        <translation>Observação {time} · {observation}</translation>
    </message>
    <message>
        <source>{instrument} {when} · total {total} ({band})</source>
        <translation>{instrument} {when} · total {total} ({band})</translation>
    </message>
</context>
<context>
    <name>EntryMenu</name>
    <message>
        <source>&amp;Entered in error…</source>
        <translation>&amp;Introduzido por erro…</translation>
    </message>
    <message>
        <source>Signed session: correct it with an addendum</source>
        <translation>Sessão assinada: corrija-a com uma adenda</translation>
    </message>
    <message>
        <source>Already marked entered in error</source>
        <translation>Já marcado como introduzido por erro</translation>
    </message>
    <message>
        <source>Add a&amp;ddendum…</source>
        <translation>Acrescentar a&amp;denda…</translation>
    </message>
    <message>
        <source>mark entries entered in error</source>
        <translation>marcar registos como introduzidos por erro</translation>
    </message>
    <message>
        <source>Sign in to mark an entry entered in error</source>
        <translation>Inicie sessão para marcar um registo como introduzido por erro</translation>
    </message>
</context>
<context>
    <name>ErrorBox</name>
    <message>
        <source>What you were entering just now was not saved.</source>
        <translation>O que estava a introduzir não foi guardado.</translation>
    </message>
    <message>
        <source>A file could not be read or written: {why} ({file}).</source>
        <translation>Não foi possível ler ou escrever um ficheiro: {why} ({file}).</translation>
    </message>
    <message>
        <source>A file could not be read or written: {why}.</source>
        <translation>Não foi possível ler ou escrever um ficheiro: {why}.</translation>
    </message>
    <message>
        <source>Something went wrong and this step did not finish.</source>
        <translation>Algo correu mal e este passo não terminou.</translation>
    </message>
    <message>
        <source>Something went wrong and this step did not finish; details in the log: {log}.</source>
        <translation>Algo correu mal e este passo não terminou; detalhes no ficheiro de registo: {log}.</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>{error}

(The details in the log: {log}.)</source>
        <translation>{error}

(Os detalhes estão no ficheiro de registo: {log}.)</translation>
    </message>
    <message>
        <source>Something went wrong; nothing after {time} was saved; details in the log: {log}.

Everything confirmed until then is kept. If it happens again, restart kapdesk and tell whoever looks after it.</source>
        <translation>Algo correu mal; nada depois das {time} foi guardado; detalhes no ficheiro de registo: {log}.

Tudo o que foi confirmado até essa hora está guardado. Se voltar a acontecer, reinicie o kapdesk e avise quem dá assistência ao programa.</translation>
    </message>
</context>
<context>
    <name>ExitBackupWindow</name>
    <message>
        <source>Closing</source>
        <translation>A fechar</translation>
    </message>
    <message>
        <source>Saving the backup before kapdesk closes… ({size})</source>
        <translation>A guardar a cópia de segurança antes de o kapdesk fechar… ({size})</translation>
    </message>
    <message>
        <source>Saving the backup before kapdesk closes…</source>
        <translation>A guardar a cópia de segurança antes de o kapdesk fechar…</translation>
    </message>
    <message>
        <source>Backup on exit</source>
        <translation>Cópia de segurança à saída</translation>
    </message>
    <message>
        <source>Backup progress</source>
        <translation>Progresso da cópia de segurança</translation>
    </message>
    <message>
        <source>Everything you recorded is saved in the database already; this is the extra copy kapdesk keeps. Closing this window leaves that copy out.</source>
        <translation>Tudo o que registou já está guardado na base de dados; esta é a cópia extra que o kapdesk mantém. Fechar esta janela deixa essa cópia por fazer.</translation>
    </message>
    <message>
        <source>Backup saved {time}, {file}</source>
        <translation>Cópia de segurança guardada às {time}, {file}</translation>
    </message>
    <message>
        <source>kapdesk closes now.</source>
        <translation>O kapdesk vai fechar.</translation>
    </message>
    <message>
        <source>The backup on exit could not be made: {error}</source>
        <translation>Não foi possível fazer a cópia de segurança à saída: {error}</translation>
    </message>
    <message>
        <source>Everything you recorded is saved in the database; only this extra copy is missing. kapdesk makes the next one when it is due (daily), or use File &gt; Back up now.</source>
        <translation>Tudo o que registou está guardado na base de dados; só falta esta cópia extra. O kapdesk faz a próxima quando for devida (diariamente), ou use Ficheiro &gt; Fazer cópia de segurança agora.</translation>
    </message>
    <message>
        <source>Leaving out the backup…</source>
        <translation>A deixar a cópia de segurança por fazer…</translation>
    </message>
</context>
<context>
    <name>Field</name>
    <message>
        <source>{field} error</source>
        <translation>Erro em {field}</translation>
    </message>
</context>
<context>
    <name>FieldNames</name>
    <message>
        <source>{field} error</source>
        <translation>Erro: {field}</translation>
    </message>
</context>
<context>
    <name>FilingChoice</name>
    <message>
        <source>The course on offer has ended: {course}.</source>
        <translation>O ciclo proposto terminou: {course}.</translation>
    </message>
    <message>
        <source>Course has ended</source>
        <translation>O ciclo terminou</translation>
    </message>
    <message>
        <source>File it under the ended course, or start a new course for it?</source>
        <translation>Arquivá-lo no ciclo terminado, ou iniciar um novo ciclo para ele?</translation>
    </message>
    <message>
        <source>File it under the ended course? (A clinician can start a new course.)</source>
        <translation>Arquivá-lo no ciclo terminado? (Um clínico pode iniciar um novo ciclo.)</translation>
    </message>
    <message>
        <source>&amp;File under the ended course</source>
        <translation>&amp;Arquivar no ciclo terminado</translation>
    </message>
    <message>
        <source>Start a &amp;new course…</source>
        <translation>Iniciar um &amp;novo ciclo…</translation>
    </message>
</context>
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
    <name>FollowUpList</name>
    <message>
        <source>Taken</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Seguimento</translation>
    </message>
    <message>
        <source>Follow-ups of the course</source>
        <translation>Seguimentos do ciclo</translation>
    </message>
    <message>
        <source>Against the endpoint</source>
        <translation>Face ao final da fase aguda</translation>
    </message>
    <message>
        <source>▾ Hide the follo&amp;w-ups</source>
        <translation>▾ &amp;Ocultar os seguimentos</translation>
    </message>
    <message>
        <source>Shown below</source>
        <translation>Mostrados abaixo</translation>
    </message>
    <message numerus="yes">
        <source>▸ Show all %n follo&amp;w-ups</source>
        <translation>
            <numerusform>▸ Mostrar &amp;o seguimento (%n)</numerusform>
            <numerusform>▸ Mostrar &amp;os %n seguimentos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n follow-up(s), folded</source>
        <translation>
            <numerusform>%n seguimento, recolhido</numerusform>
            <numerusform>%n seguimentos, recolhidos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HandoverActions</name>
    <message>
        <source>&amp;Handover…</source>
        <translation>&amp;Passagem de turno…</translation>
    </message>
    <message>
        <source>Open sessions, readings missed today, unsigned sessions and notes</source>
        <translation>Sessões abertas, medições falhadas hoje, sessões e notas por assinar</translation>
    </message>
</context>
<context>
    <name>HandoverWindow</name>
    <message>
        <source>Draft</source>
        <translation>Rascunho</translation>
    </message>
    <message>
        <source>Final</source>
        <translation>Final</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>Passagem de turno</translation>
    </message>
    <message>
        <source>Double-click or press Enter to open   ·   F5: read again</source>
        <translation>Duplo clique ou Enter para abrir   ·   F5: ler de novo</translation>
    </message>
    <message>
        <source>Handover message</source>
        <translation>Mensagem da passagem de turno</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Doente</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>N.º processo</translation>
    </message>
    <message>
        <source>Open sessions</source>
        <translation>Sessões abertas</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>No open sessions.</source>
        <translation>Nenhuma sessão aberta.</translation>
    </message>
    <message>
        <source>Readings missed today</source>
        <translation>Medições falhadas hoje</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>Medição</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Devida</translation>
    </message>
    <message>
        <source>No readings missed today.</source>
        <translation>Nenhuma medição falhada hoje.</translation>
    </message>
    <message>
        <source>Unsigned sessions</source>
        <translation>Sessões por assinar</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Terminou</translation>
    </message>
    <message>
        <source>Discharged by</source>
        <translation>Alta dada por</translation>
    </message>
    <message>
        <source>No unsigned sessions.</source>
        <translation>Nenhuma sessão por assinar.</translation>
    </message>
    <message>
        <source>Unsigned integration notes</source>
        <translation>Notas de integração por assinar</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Realizada</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>No unsigned integration notes.</source>
        <translation>Nenhuma nota de integração por assinar.</translation>
    </message>
    <message>
        <source>&amp;Read again</source>
        <translation>&amp;Ler de novo</translation>
    </message>
    <message>
        <source>Read the handover again (F5)</source>
        <translation>Ler de novo a passagem de turno (F5)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Close the handover (Esc)</source>
        <translation>Fechar a passagem de turno (Esc)</translation>
    </message>
    <message>
        <source>Read the handover again</source>
        <translation>Ler de novo a passagem de turno</translation>
    </message>
    <message>
        <source>Close the handover</source>
        <translation>Fechar a passagem de turno</translation>
    </message>
    <message>
        <source>The handover could not be read: {error}</source>
        <translation>Não foi possível ler a passagem de turno: {error}</translation>
    </message>
    <message>
        <source>{day}, as at {time}</source>
        <translation>{day}, às {time}</translation>
    </message>
    <message>
        <source>How many only: patients, readings and notes are for clinical staff.</source>
        <translation>Só as contagens: doentes, medições e notas são para os profissionais clínicos.</translation>
    </message>
    <message>
        <source>by {time}</source>
        <translation>até às {time}</translation>
    </message>
    <message>
        <source>from {time}</source>
        <translation>a partir das {time}</translation>
    </message>
</context>
<context>
    <name>HelpActions</name>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Atalhos de teclado</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Guia do utilizador</translation>
    </message>
    <message>
        <source>&amp;About kapdesk</source>
        <translation>&amp;Sobre o kapdesk</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aj&amp;uda</translation>
    </message>
</context>
<context>
    <name>InstanceServer</name>
    <message>
        <source>Already open</source>
        <translation>Já aberto</translation>
    </message>
    <message>
        <source>kapdesk is already open on this database:
{file}</source>
        <translation>O kapdesk já está aberto nesta base de dados:
{file}</translation>
    </message>
    <message>
        <source>Only one kapdesk window can use a database file at a time.</source>
        <translation>Só uma janela do kapdesk pode usar um ficheiro de base de dados de cada vez.</translation>
    </message>
    <message>
        <source>&amp;Bring it to the front</source>
        <translation>&amp;Trazer para a frente</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fechar</translation>
    </message>
</context>
<context>
    <name>InstrumentDialog</name>
    <message>
        <source>{protocol} v{version}, started {started} ({status})</source>
        <translation>{protocol} v{version}, iniciado a {started} ({status})</translation>
    </message>
    <message>
        <source>Record {code}</source>
        <translation>Registar {code}</translation>
    </message>
    <message>
        <source>No course</source>
        <translation>Sem ciclo</translation>
    </message>
    <message>
        <source>C&amp;ourse</source>
        <translation>&amp;Ciclo</translation>
    </message>
    <message>
        <source>&amp;Taken at</source>
        <translation>&amp;Preenchido em</translation>
    </message>
    <message>
        <source>{code} message</source>
        <translation>Mensagem do {code}</translation>
    </message>
    <message>
        <source>&amp;Save {code}</source>
        <translation>&amp;Guardar {code}</translation>
    </message>
    <message>
        <source>{code} item {number} is not answered yet; answer every item (0-{top}).</source>
        <translation>O item {number} do {code} ainda não tem resposta; responda a todos os itens (0-{top}).</translation>
    </message>
</context>
<context>
    <name>InstrumentForm</name>
    <message>
        <source>Item 9 (thoughts of self-harm) answered &gt; 0 – clinician follow-up required.</source>
        <translation>Item 9 (pensamentos de autolesão) com resposta &gt; 0 – requer seguimento por um clínico.</translation>
    </message>
    <message>
        <source>Item {numbers} answered &gt; 0 – clinician follow-up required.</source>
        <translation>Item {numbers} com resposta &gt; 0 – requer seguimento por um clínico.</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Follow-up flag</source>
        <translation>Alerta de seguimento</translation>
    </message>
    <message>
        <source>Total {total} / {top} – {band}</source>
        <translation>Total {total} / {top} – {band}</translation>
    </message>
    <message>
        <source>Total so far {total} / {top} ({given} of {count} items answered)</source>
        <translation>Total até agora {total} / {top} ({given} de {count} itens respondidos)</translation>
    </message>
</context>
<context>
    <name>IntegrationNoteEditor</name>
    <message>
        <source>Your text was copied to the clipboard; the note shows theirs now.</source>
        <translation>O seu texto foi copiado para a área de transferência; a nota mostra agora o texto do colega.</translation>
    </message>
    <message>
        <source>this note</source>
        <translation>esta nota</translation>
    </message>
    <message>
        <source>Integration note</source>
        <translation>Nota de integração</translation>
    </message>
    <message>
        <source>Anything else from the session.</source>
        <translation>Outros aspetos da sessão.</translation>
    </message>
    <message>
        <source>Free te&amp;xt</source>
        <translation>Te&amp;xto livre</translation>
    </message>
    <message>
        <source>Note message</source>
        <translation>Mensagem da nota</translation>
    </message>
    <message>
        <source>Note notice</source>
        <translation>Aviso da nota</translation>
    </message>
    <message>
        <source>Save status</source>
        <translation>Estado da gravação</translation>
    </message>
    <message>
        <source>Record P&amp;HQ-9…</source>
        <translation>Registar P&amp;HQ-9…</translation>
    </message>
    <message>
        <source>Si&amp;gn note…</source>
        <translation>Assi&amp;nar nota…</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fechar</translation>
    </message>
    <message>
        <source>Editing…</source>
        <translation>A editar…</translation>
    </message>
    <message>
        <source>Not saved · autosave paused</source>
        <translation>Não guardado · gravação automática em pausa</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>Não guardado</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>Não guardado: {error}</translation>
    </message>
    <message>
        <source>{conflict} Your text is kept here.</source>
        <translation>{conflict} O seu texto mantém-se aqui.</translation>
    </message>
    <message>
        <source>integration note</source>
        <translation>a nota de integração</translation>
    </message>
    <message>
        <source>note</source>
        <translation>a nota</translation>
    </message>
    <message>
        <source>the integration note of {held} (author: {author})</source>
        <translation>a nota de integração de {held} (autor: {author})</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>desconhecido</translation>
    </message>
    <message>
        <source>Draft · saved {time}</source>
        <translation>Rascunho · guardado às {time}</translation>
    </message>
    <message>
        <source>Integration session {held} (signed)</source>
        <translation>Sessão de integração de {held} (assinada)</translation>
    </message>
    <message>
        <source>Integration session {held} (final)</source>
        <translation>Sessão de integração de {held} (final)</translation>
    </message>
    <message>
        <source>Integration session {held}</source>
        <translation>Sessão de integração de {held}</translation>
    </message>
    <message>
        <source>Only its author or a clinician may sign this note.</source>
        <translation>Só o autor ou um clínico pode assinar esta nota.</translation>
    </message>
    <message>
        <source>Signed.</source>
        <translation>Assinada.</translation>
    </message>
    <message>
        <source>Signed · read-only; corrections are addenda</source>
        <translation>Assinada · só de leitura; as correções fazem-se por adendas</translation>
    </message>
    <message>
        <source>Final · {time}</source>
        <translation>Final · {time}</translation>
    </message>
    <message>
        <source>Draft · read-only for you</source>
        <translation>Rascunho · só de leitura para si</translation>
    </message>
    <message>
        <source>Draft · last saved {time}</source>
        <translation>Rascunho · guardado pela última vez às {time}</translation>
    </message>
    <message>
        <source>Author: {author}.</source>
        <translation>Autor: {author}.</translation>
    </message>
    <message>
        <source>Follows the dosing session of {session}.</source>
        <translation>Dá seguimento à sessão de administração de {session}.</translation>
    </message>
    <message>
        <source>Follows dosing session #{id}.</source>
        <translation>Dá seguimento à sessão de administração n.º {id}.</translation>
    </message>
    <message>
        <source>PHQ-9 recorded {time}: {total} / {top} – {band}</source>
        <translation>PHQ-9 registado às {time}: {total} / {top} – {band}</translation>
    </message>
    <message>
        <source>item 9 &gt; 0: clinician follow-up required</source>
        <translation>item 9 &gt; 0: requer seguimento por um clínico</translation>
    </message>
</context>
<context>
    <name>IntegrationNotesPanel</name>
    <message>
        <source>Held</source>
        <translation>Realizada</translation>
    </message>
    <message>
        <source>Follows dosing session</source>
        <translation>Sessão seguida</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>Alterada</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>rascunho</translation>
    </message>
    <message>
        <source>final</source>
        <translation>final</translation>
    </message>
    <message>
        <source>Ne&amp;w integration session…</source>
        <translation>No&amp;va sessão de integração…</translation>
    </message>
    <message>
        <source>Integration notes</source>
        <translation>Notas de integração</translation>
    </message>
    <message>
        <source>Double-click or press Enter to open a note.</source>
        <translation>Faça duplo clique ou prima Enter para abrir uma nota.</translation>
    </message>
    <message>
        <source>Your role may not {action}.</source>
        <translation>A sua função não permite {action}.</translation>
    </message>
    <message>
        <source>Start a treatment course first.</source>
        <translation>Inicie primeiro um ciclo de tratamento.</translation>
    </message>
</context>
<context>
    <name>ItemRow</name>
    <message>
        <source>Item {number}: {text}</source>
        <translation>Item {number}: {text}</translation>
    </message>
    <message>
        <source>Item {number}: {value} {label}</source>
        <translation>Item {number}: {value} {label}</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>sem resposta</translation>
    </message>
    <message>
        <source>answer {value}: {label}</source>
        <translation>resposta {value}: {label}</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>{room}: a reading is due</source>
        <translation>{room}: medição devida</translation>
    </message>
    <message>
        <source>{room}: a reading is overdue</source>
        <translation>{room}: medição em atraso</translation>
    </message>
    <message>
        <source>{room}: a reading is missed</source>
        <translation>{room}: medição falhada</translation>
    </message>
    <message>
        <source>{room}: a reading is alert</source>
        <translation>{room}: medição de alerta</translation>
    </message>
    <message>
        <source>{room}: a reading is critical</source>
        <translation>{room}: medição crítica</translation>
    </message>
    <message>
        <source>Lock screen</source>
        <translation>Ecrã de bloqueio</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>Unlock message</source>
        <translation>Mensagem de desbloqueio</translation>
    </message>
    <message>
        <source>Sign in as &amp;someone else…</source>
        <translation>Iniciar sessão como &amp;outra pessoa…</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Desbloquear</translation>
    </message>
    <message>
        <source>Readings due</source>
        <translation>Medições devidas</translation>
    </message>
    <message>
        <source>Readings due while locked</source>
        <translation>Medições devidas durante o bloqueio</translation>
    </message>
    <message>
        <source>Locked – {name} ({role})</source>
        <translation>Bloqueado – {name} ({role})</translation>
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
    <name>MainWindow</name>
    <message>
        <source>Today</source>
        <translation>Hoje</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Doentes</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>&amp;Today</source>
        <translation>&amp;Hoje</translation>
    </message>
    <message>
        <source>&amp;Patients</source>
        <translation>&amp;Doentes</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Sessão</translation>
    </message>
    <message>
        <source>Re&amp;cords</source>
        <translation>Re&amp;gistos</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>&amp;Administração</translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation>Navegação</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>Sessão iniciada</translation>
    </message>
    <message>
        <source>DEMO clinic – not for patient care</source>
        <translation>Clínica de DEMONSTRAÇÃO – não usar no cuidado de doentes</translation>
    </message>
    <message>
        <source>Switch &amp;user…</source>
        <translation>Mudar de &amp;utilizador…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Sair</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Ficheiro</translation>
    </message>
    <message>
        <source>&amp;Print summary…</source>
        <translation>&amp;Imprimir resumo…</translation>
    </message>
    <message>
        <source>Save as P&amp;DF…</source>
        <translation>Guardar como P&amp;DF…</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Ir</translation>
    </message>
    <message>
        <source>&amp;Audit log…</source>
        <translation>Registo de &amp;auditoria…</translation>
    </message>
    <message>
        <source>&amp;Cohort outcomes…</source>
        <translation>Resultados da &amp;coorte…</translation>
    </message>
    <message>
        <source>&amp;Users…</source>
        <translation>&amp;Utilizadores…</translation>
    </message>
    <message>
        <source>Open a session or a chart.</source>
        <translation>Abra uma sessão ou uma ficha de doente.</translation>
    </message>
    <message>
        <source>clinic</source>
        <translation>clínica</translation>
    </message>
    <message>
        <source>Signed in: nobody</source>
        <translation>Sessão iniciada: ninguém</translation>
    </message>
    <message>
        <source>Signed in: {name} ({role})</source>
        <translation>Sessão iniciada: {name} ({role})</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>Mudar de utilizador</translation>
    </message>
    <message>
        <source>{name} is now signed in.</source>
        <translation>{name} iniciou sessão.</translation>
    </message>
    <message>
        <source>Sign in again</source>
        <translation>Iniciar sessão de novo</translation>
    </message>
</context>
<context>
    <name>MonitoringPage</name>
    <message>
        <source>upcoming</source>
        <translation>prevista</translation>
    </message>
    <message>
        <source>due</source>
        <translation>devida</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>em atraso</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>falhada</translation>
    </message>
    <message>
        <source>done late</source>
        <translation>feita com atraso</translation>
    </message>
    <message>
        <source>done on time</source>
        <translation>feita a horas</translation>
    </message>
    <message>
        <source>before the dose</source>
        <translation>antes da dose</translation>
    </message>
    <message>
        <source>from {time}</source>
        <translation>a partir das {time}</translation>
    </message>
    <message>
        <source>opens in {left}</source>
        <translation>abre dentro de {left}</translation>
    </message>
    <message>
        <source>due now (until discharge)</source>
        <translation>devida agora (até à alta)</translation>
    </message>
    <message>
        <source>due now</source>
        <translation>devida agora</translation>
    </message>
    <message>
        <source>closes in {left}</source>
        <translation>fecha dentro de {left}</translation>
    </message>
    <message>
        <source>overdue by {late}</source>
        <translation>em atraso há {late}</translation>
    </message>
    <message>
        <source>; missed at {time}</source>
        <translation>; falhada às {time}</translation>
    </message>
    <message>
        <source>taken {time}</source>
        <translation>feita às {time}</translation>
    </message>
    <message>
        <source>not taken</source>
        <translation>não feita</translation>
    </message>
    <message>
        <source>Due readings</source>
        <translation>Medições devidas</translation>
    </message>
    <message>
        <source> · 1 missed</source>
        <translation> · 1 falhada</translation>
    </message>
    <message>
        <source> · {n} missed</source>
        <translation> · {n} falhadas</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>Medição</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Janela</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation>Contagem</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>Min</translation>
    </message>
    <message>
        <source>BP</source>
        <translation>TA</translation>
    </message>
    <message>
        <source>Pulse</source>
        <translation>Pulso</translation>
    </message>
    <message>
        <source>SpO2</source>
        <translation>SpO2</translation>
    </message>
    <message>
        <source>Band</source>
        <translation>Nível</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Por</translation>
    </message>
    <message>
        <source>Monitoring</source>
        <translation>Monitorização</translation>
    </message>
    <message>
        <source>Due readings title</source>
        <translation>Título das medições devidas</translation>
    </message>
    <message>
        <source>Add a reading (any time)</source>
        <translation>Acrescentar uma medição (a qualquer momento)</translation>
    </message>
    <message>
        <source>Repeat after {min} min</source>
        <translation>Repetir após {min} min</translation>
    </message>
    <message>
        <source>Latest: </source>
        <translation>Última: </translation>
    </message>
    <message>
        <source>Readings</source>
        <translation>Medições</translation>
    </message>
    <message>
        <source>Observations</source>
        <translation>Observações</translation>
    </message>
    <message>
        <source>MOAA/S</source>
        <translation>MOAA/S</translation>
    </message>
    <message>
        <source>MOAA/S level</source>
        <translation>Nível MOAA/S</translation>
    </message>
    <message>
        <source>&amp;MOAA/S</source>
        <translation>&amp;MOAA/S</translation>
    </message>
    <message>
        <source>R&amp;ecord MOAA/S</source>
        <translation>Regis&amp;tar MOAA/S</translation>
    </message>
    <message>
        <source>Dissoci&amp;ation present</source>
        <translation>Dissociação &amp;presente</translation>
    </message>
    <message>
        <source>Dissociation present</source>
        <translation>Dissociação presente</translation>
    </message>
    <message>
        <source>Dissociation notes</source>
        <translation>Notas de dissociação</translation>
    </message>
    <message>
        <source>what the patient describes</source>
        <translation>o que o doente descreve</translation>
    </message>
    <message>
        <source>Dissociation no&amp;tes</source>
        <translation>Notas d&amp;e dissociação</translation>
    </message>
    <message>
        <source>Record d&amp;issociation</source>
        <translation>Registar disso&amp;ciação</translation>
    </message>
    <message>
        <source>Observation message</source>
        <translation>Mensagem de observação</translation>
    </message>
    <message>
        <source>Observations recorded</source>
        <translation>Observações registadas</translation>
    </message>
    <message>
        <source>Minutes from first dose</source>
        <translation>Minutos desde a primeira dose</translation>
    </message>
    <message>
        <source>Minutes before now (no dose yet)</source>
        <translation>Minutos antes de agora (ainda sem dose)</translation>
    </message>
    <message>
        <source>dissociation notes</source>
        <translation>notas de dissociação</translation>
    </message>
</context>
<context>
    <name>NewIntegrationDialog</name>
    <message>
        <source>integration note</source>
        <translation>a nota de integração</translation>
    </message>
    <message>
        <source>An integration session on the course {protocol} v{version}; it may follow up one of its dosing sessions.</source>
        <translation>Uma sessão de integração do ciclo {protocol} v{version}; pode dar seguimento a uma das suas sessões de administração.</translation>
    </message>
    <message>
        <source>New integration session</source>
        <translation>Nova sessão de integração</translation>
    </message>
    <message>
        <source>&amp;Start note</source>
        <translation>&amp;Iniciar nota</translation>
    </message>
    <message>
        <source>None (not following a dosing session)</source>
        <translation>Nenhuma (não dá seguimento a uma sessão de administração)</translation>
    </message>
    <message>
        <source>Integration session message</source>
        <translation>Mensagem da sessão de integração</translation>
    </message>
    <message>
        <source>&amp;Follows dosing session</source>
        <translation>&amp;Dá seguimento à sessão de administração</translation>
    </message>
    <message>
        <source>&amp;Held at</source>
        <translation>&amp;Realizada em</translation>
    </message>
</context>
<context>
    <name>NotePanel</name>
    <message>
        <source>Session &amp;note</source>
        <translation>&amp;Nota da sessão</translation>
    </message>
    <message>
        <source>this note</source>
        <translation>esta nota</translation>
    </message>
    <message>
        <source>Your text was copied to the clipboard; the note shows theirs now.</source>
        <translation>O seu texto foi copiado para a área de transferência; a nota mostra agora o outro texto.</translation>
    </message>
    <message>
        <source>Session note</source>
        <translation>Nota da sessão</translation>
    </message>
    <message>
        <source>Free text; saved as you type.</source>
        <translation>Texto livre; guardado enquanto escreve.</translation>
    </message>
    <message>
        <source>Note saved</source>
        <translation>Nota guardada</translation>
    </message>
    <message>
        <source>Note message</source>
        <translation>Mensagem da nota</translation>
    </message>
    <message>
        <source>Note notice</source>
        <translation>Aviso da nota</translation>
    </message>
    <message>
        <source>This note was changed on another workstation at {time} while you were typing; saving will ask which text to keep.</source>
        <translation>Esta nota foi alterada noutro posto de trabalho às {time} enquanto escrevia; ao guardar, será perguntado que texto manter.</translation>
    </message>
    <message>
        <source>Final since {time}</source>
        <translation>Final desde as {time}</translation>
    </message>
    <message>
        <source>Saved {time}</source>
        <translation>Guardada às {time}</translation>
    </message>
    <message>
        <source>{conflict} Your text is kept here.</source>
        <translation>{conflict} O seu texto fica aqui.</translation>
    </message>
    <message>
        <source>Autosave is paused: saving will replace {who}&apos;s text (theirs stays in the audit trail). Press Ctrl+S to save yours.</source>
        <translation>A gravação automática está em pausa: guardar vai substituir o texto de {who} (esse fica no registo de auditoria). Prima Ctrl+S para guardar o seu.</translation>
    </message>
</context>
<context>
    <name>NowTimeEdit</name>
    <message>
        <source>{name}: now, unless you type another time (HH:MM)</source>
        <translation>{name}: agora, a menos que escreva outra hora (HH:MM)</translation>
    </message>
</context>
<context>
    <name>OutcomeChart</name>
    <message>
        <source>{code} trend</source>
        <translation>Evolução do {code}</translation>
    </message>
    <message>
        <source>{code} trend plot</source>
        <translation>Gráfico da evolução do {code}</translation>
    </message>
    <message>
        <source>{code} total</source>
        <translation>Total do {code}</translation>
    </message>
    <message>
        <source>Week of course</source>
        <translation>Semana do ciclo</translation>
    </message>
    <message>
        <source>response</source>
        <translation>resposta</translation>
    </message>
    <message>
        <source>remission: below {total}</source>
        <translation>remissão: abaixo de {total}</translation>
    </message>
    <message>
        <source>follow-up (after the endpoint)</source>
        <translation>seguimento (após a fase aguda)</translation>
    </message>
    <message>
        <source>item 9 above 0</source>
        <translation>item 9 acima de 0</translation>
    </message>
    <message>
        <source>week {week}: end of acute phase</source>
        <translation>semana {week}: fim da fase aguda</translation>
    </message>
    <message>
        <source>No {code} recorded for this course yet.</source>
        <translation>Ainda não há nenhum {code} registado neste ciclo.</translation>
    </message>
    <message>
        <source>response: ≤ {level} ({percent} % of baseline {baseline})</source>
        <translation>resposta: ≤ {level} ({percent} % do valor basal {baseline})</translation>
    </message>
    <message>
        <source>Course outcome: no {code} on this course yet.</source>
        <translation>Resultado do ciclo: ainda sem {code} neste ciclo.</translation>
    </message>
    <message>
        <source>baseline {total} ({band}, {date})</source>
        <translation>basal {total} ({band}, {date})</translation>
    </message>
    <message numerus="yes">
        <source>Course outcome ({code}): {first}; a later {code} within %n week(s) of the course start shows the change.</source>
        <translation>
            <numerusform>Resultado do ciclo ({code}): {first}; um {code} posterior, até %n semana após o início do ciclo, mostrará a variação.</numerusform>
            <numerusform>Resultado do ciclo ({code}): {first}; um {code} posterior, até %n semanas após o início do ciclo, mostrará a variação.</numerusform>
        </translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>n/d</translation>
    </message>
    <message>
        <source>, week {week}</source>
        <translation>, semana {week}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>sim</translation>
    </message>
    <message>
        <source>no</source>
        <translation>não</translation>
    </message>
    <message>
        <source>Course outcome ({code}): {first} → endpoint {total} ({band}, {date}{week}) · change {change} · response: {response} · remission: {remission}</source>
        <translation>Resultado do ciclo ({code}): {first} → final {total} ({band}, {date}{week}) · variação {change} · resposta: {response} · remissão: {remission}</translation>
    </message>
    <message numerus="yes">
        <source>%n follow-up(s) after the acute phase</source>
        <translation>
            <numerusform>%n seguimento após a fase aguda</numerusform>
            <numerusform>%n seguimentos após a fase aguda</numerusform>
        </translation>
    </message>
    <message>
        <source>, {count} with deterioration ({dates})</source>
        <translation>, {count} com agravamento ({dates})</translation>
    </message>
    <message>
        <source>, {count} with deterioration (the last {date})</source>
        <translation>, {count} com agravamento (o último a {date})</translation>
    </message>
    <message>
        <source>, none with deterioration</source>
        <translation>, nenhum com agravamento</translation>
    </message>
    <message>
        <source>{head}. Latest: {latest}</source>
        <translation>{head}. Último: {latest}</translation>
    </message>
    <message>
        <source>Latest PHQ-9 ({date}): item 9 (thoughts of self-harm) answered {answer} – clinician follow-up required.</source>
        <translation>Último PHQ-9 ({date}): item 9 (pensamentos de autolesão) com resposta {answer} – requer seguimento por um clínico.</translation>
    </message>
    <message>
        <source>Scored with {rule}</source>
        <translation>Pontuado com {rule}</translation>
    </message>
    <message>
        <source>Older results: scoring rule not stored (recorded before kapdesk kept it).</source>
        <translation>Resultados mais antigos: regra de pontuação não guardada (registados antes de o kapdesk a guardar).</translation>
    </message>
</context>
<context>
    <name>OutcomesTab</name>
    <message>
        <source>Record PHQ-&amp;9…</source>
        <translation>Registar PHQ-&amp;9…</translation>
    </message>
    <message>
        <source>Record GAD-&amp;7…</source>
        <translation>Registar GAD-&amp;7…</translation>
    </message>
    <message>
        <source>PHQ-9 (all courses)</source>
        <translation>PHQ-9 (todos os ciclos)</translation>
    </message>
    <message>
        <source>Scoring rules of the results</source>
        <translation>Regras de pontuação dos resultados</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Override pre-dose hold</source>
        <translation>Autorizar exceção à suspensão pré-dose</translation>
    </message>
    <message>
        <source>&amp;Record override</source>
        <translation>&amp;Registar autorização</translation>
    </message>
    <message>
        <source>Prescriber name</source>
        <translation>Nome do prescritor</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>&amp;Prescriber name</source>
        <translation>Nome do &amp;prescritor</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Motivo</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Encrypted database – kapdesk</source>
        <translation>Base de dados encriptada – kapdesk</translation>
    </message>
    <message>
        <source>Choose a passphrase for the new encrypted database {name} (at least 10 characters). Keep it safe: without it nobody can open the database, and it cannot be recovered.</source>
        <translation>Escolha uma frase-passe para a nova base de dados encriptada {name} (pelo menos 10 caracteres). Guarde-a em segurança: sem ela ninguém consegue abrir a base de dados, e não pode ser recuperada.</translation>
    </message>
    <message>
        <source>{name} is encrypted. Enter its passphrase to open it.</source>
        <translation>{name} está encriptada. Introduza a frase-passe para a abrir.</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;Frase-passe</translation>
    </message>
    <message>
        <source>Passphrase error</source>
        <translation>Erro na frase-passe</translation>
    </message>
    <message>
        <source>&amp;Repeat passphrase</source>
        <translation>&amp;Repetir a frase-passe</translation>
    </message>
    <message>
        <source>Repeat passphrase error</source>
        <translation>Erro ao repetir a frase-passe</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>&amp;Criar</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Abrir</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>As duas frases-passe são diferentes.</translation>
    </message>
    <message>
        <source>{error} (1 try left.)</source>
        <translation>{error} (resta 1 tentativa.)</translation>
    </message>
    <message>
        <source>{error} ({n} tries left.)</source>
        <translation>{error} (restam {n} tentativas.)</translation>
    </message>
</context>
<context>
    <name>PatientChart</name>
    <message>
        <source>Your role may not {action}.</source>
        <translation>A sua função não permite {action}.</translation>
    </message>
    <message>
        <source>The patient already has an open course.</source>
        <translation>O doente já tem um ciclo aberto.</translation>
    </message>
    <message>
        <source>Choose an open course.</source>
        <translation>Escolha um ciclo aberto.</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Band</source>
        <translation>Gravidade</translation>
    </message>
    <message>
        <source>Item 9</source>
        <translation>Item 9</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Assinatura</translation>
    </message>
    <message>
        <source>weight not recorded</source>
        <translation>peso não registado</translation>
    </message>
    <message>
        <source>{kg} kg</source>
        <translation>{kg} kg</translation>
    </message>
    <message>
        <source>MRN {mrn}  ·  born {born} (age {age})  ·  {sex}  ·  {weight}</source>
        <translation>N.º de processo {mrn}  ·  nascimento {born} ({age}&#xa0;anos)  ·  {sex}  ·  {weight}</translation>
    </message>
    <message>
        <source>Allergies: {text}</source>
        <translation>Alergias: {text}</translation>
    </message>
    <message>
        <source>Contraindications: {text}</source>
        <translation>Contraindicações: {text}</translation>
    </message>
    <message>
        <source>open</source>
        <translation>aberto</translation>
    </message>
    <message>
        <source>ended {date}</source>
        <translation>terminado a {date}</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n sessão</numerusform>
            <numerusform>%n sessões</numerusform>
        </translation>
    </message>
    <message>
        <source>{protocol} v{version} · from {started} ({status}, {sessions})</source>
        <translation>{protocol} v{version} · desde {started} ({status}, {sessions})</translation>
    </message>
    <message>
        <source>Protocol: {protocol} v{version}</source>
        <translation>Protocolo: {protocol} v{version}</translation>
    </message>
    <message>
        <source> · goal: {goal}</source>
        <translation> · objetivo: {goal}</translation>
    </message>
    <message>
        <source>Signed {date} {time} by {who}</source>
        <translation>Assinada a {date} às {time} por {who}</translation>
    </message>
    <message>
        <source>Signed {time} by {who}</source>
        <translation>Assinada às {time} por {who}</translation>
    </message>
    <message>
        <source>Not signed</source>
        <translation>Não assinada</translation>
    </message>
    <message>
        <source>&amp;Edit patient…</source>
        <translation>&amp;Editar doente…</translation>
    </message>
    <message>
        <source>Treatment course</source>
        <translation>Ciclo de tratamento</translation>
    </message>
    <message>
        <source>Treatment co&amp;urse</source>
        <translation>Ciclo de &amp;tratamento</translation>
    </message>
    <message>
        <source>S&amp;tart course…</source>
        <translation>Iniciar cic&amp;lo…</translation>
    </message>
    <message>
        <source>Schedu&amp;le session…</source>
        <translation>Agen&amp;dar sessão…</translation>
    </message>
    <message>
        <source>Choose a treatment course to print its summary.</source>
        <translation>Escolha um ciclo de tratamento para imprimir o seu resumo.</translation>
    </message>
    <message>
        <source>Print course summary…</source>
        <translation>Imprimir o resumo do ciclo…</translation>
    </message>
    <message>
        <source>Course outcome</source>
        <translation>Resultado do ciclo</translation>
    </message>
    <message>
        <source>&amp;Outcomes</source>
        <translation>&amp;Resultados</translation>
    </message>
    <message>
        <source>Sess&amp;ions</source>
        <translation>&amp;Sessões</translation>
    </message>
    <message>
        <source>Integration &amp;notes</source>
        <translation>&amp;Notas de integração</translation>
    </message>
    <message>
        <source>PHQ-9 history</source>
        <translation>Histórico do PHQ-9</translation>
    </message>
    <message>
        <source>GAD-7 history</source>
        <translation>Histórico do GAD-7</translation>
    </message>
    <message>
        <source>Dosing sessions</source>
        <translation>Sessões de administração</translation>
    </message>
    <message>
        <source>Double-click or press Enter to open a session.</source>
        <translation>Faça duplo clique ou prima Enter para abrir uma sessão.</translation>
    </message>
    <message>
        <source>Sign in to view this chart.</source>
        <translation>Inicie sessão para ver este processo clínico.</translation>
    </message>
    <message>
        <source>No treatment course yet</source>
        <translation>Ainda sem ciclo de tratamento</translation>
    </message>
    <message>
        <source>Start a treatment course to schedule dosing sessions.</source>
        <translation>Inicie um ciclo de tratamento para agendar sessões de administração.</translation>
    </message>
    <message>
        <source>The course outcome could not be read: {error}</source>
        <translation>Não foi possível ler o resultado do ciclo: {error}</translation>
    </message>
    <message>
        <source>The {code} results of this course could not be read.</source>
        <translation>Não foi possível ler os resultados do {code} deste ciclo.</translation>
    </message>
</context>
<context>
    <name>PatientDialog</name>
    <message>
        <source>Female</source>
        <translation>Feminino</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Masculino</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Outro</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Desconhecido</translation>
    </message>
    <message>
        <source>YYYY-MM-DD or DD.MM.YYYY</source>
        <translation>DD/MM/AAAA ou AAAA-MM-DD</translation>
    </message>
    <message>
        <source>this patient&apos;s details</source>
        <translation>os dados deste doente</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>N.º de processo</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Nome próprio</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Apelido</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Data de nascimento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Peso</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>Contraindications</source>
        <translation>Contraindicações</translation>
    </message>
    <message>
        <source>Possible duplicate: {family}, {given}, born {born}, MRN {mrn}</source>
        <translation>Possível duplicado: {family}, {given}, nascimento {born}, n.º de processo {mrn}</translation>
    </message>
    <message>
        <source>Edit patient</source>
        <translation>Editar doente</translation>
    </message>
    <message>
        <source>Add patient</source>
        <translation>Adicionar doente</translation>
    </message>
    <message>
        <source>kg (optional)</source>
        <translation>kg (opcional)</translation>
    </message>
    <message>
        <source>None known</source>
        <translation>Nenhuma conhecida</translation>
    </message>
    <message>
        <source>e.g. uncontrolled hypertension, psychosis, pregnancy</source>
        <translation>p. ex. hipertensão não controlada, psicose, gravidez</translation>
    </message>
    <message>
        <source>&amp;MRN</source>
        <translation>N.º de &amp;processo</translation>
    </message>
    <message>
        <source>&amp;Given name</source>
        <translation>&amp;Nome próprio</translation>
    </message>
    <message>
        <source>&amp;Family name</source>
        <translation>Ape&amp;lido</translation>
    </message>
    <message>
        <source>&amp;Date of birth</source>
        <translation>&amp;Data de nascimento</translation>
    </message>
    <message>
        <source>&amp;Sex</source>
        <translation>&amp;Sexo</translation>
    </message>
    <message>
        <source>&amp;Weight</source>
        <translation>P&amp;eso</translation>
    </message>
    <message>
        <source>&amp;Allergies</source>
        <translation>&amp;Alergias</translation>
    </message>
    <message>
        <source>&amp;Contraindications</source>
        <translation>&amp;Contraindicações</translation>
    </message>
    <message>
        <source>Correct the patient&apos;s details.</source>
        <translation>Corrija os dados do doente.</translation>
    </message>
    <message>
        <source>Register a new patient.</source>
        <translation>Registe um novo doente.</translation>
    </message>
    <message>
        <source>Patient message</source>
        <translation>Mensagem do formulário</translation>
    </message>
    <message>
        <source>Sa&amp;ve changes</source>
        <translation>&amp;Guardar alterações</translation>
    </message>
    <message>
        <source>Add &amp;patient</source>
        <translation>Adicionar d&amp;oente</translation>
    </message>
    <message>
        <source>changes to the patient</source>
        <translation>as alterações ao doente</translation>
    </message>
    <message>
        <source>new patient</source>
        <translation>o novo doente</translation>
    </message>
    <message>
        <source>{who} changed {what} at {when}; your changes match what they saved. The form shows the saved details.</source>
        <translation>{who} alterou {what} ({when}); as suas alterações coincidem com o que foi guardado. O formulário mostra os dados guardados.</translation>
    </message>
    <message>
        <source>Your details were copied to the clipboard; the form shows the saved ones now.</source>
        <translation>Os seus dados foram copiados para a área de transferência; o formulário mostra agora os dados guardados.</translation>
    </message>
</context>
<context>
    <name>PatientImportDialog</name>
    <message>
        <source>Import patients</source>
        <translation>Importar doentes</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Linha</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>Processo</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Nascimento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Weight (kg)</source>
        <translation>Peso (kg)</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>Contraind.</source>
        <translation>Contraind.</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Coluna</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problema</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.CSV);;All files (*)</source>
        <translation>Ficheiros CSV (*.csv *.CSV);;Todos os ficheiros (*)</translation>
    </message>
    <message>
        <source>Patients to import</source>
        <translation>Doentes a importar</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Importar</translation>
    </message>
    <message numerus="yes">
        <source>{file}: %n patient(s) would be created, no problems. Nothing is stored until you press Import; then all of them are, at once.</source>
        <translation>
            <numerusform>{file}: seria criado %n doente, sem problemas. Nada é guardado até premir Importar; nesse momento, são todos guardados de uma vez.</numerusform>
            <numerusform>{file}: seriam criados %n doentes, sem problemas. Nada é guardado até premir Importar; nesse momento, são todos guardados de uma vez.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>&amp;Import %n patient(s)</source>
        <translation>
            <numerusform>&amp;Importar %n doente</numerusform>
            <numerusform>&amp;Importar %n doentes</numerusform>
        </translation>
    </message>
    <message>
        <source>… and {count} more (in bold below).</source>
        <translation>… e mais {count} (a negrito abaixo).</translation>
    </message>
    <message numerus="yes">
        <source>%n possible duplicate(s): check before importing.</source>
        <translation>
            <numerusform>%n possível duplicado: verifique antes de importar.</numerusform>
            <numerusform>%n possíveis duplicados: verifique antes de importar.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{file}: %n problem(s). Nothing can be imported until the file is corrected: correct these lines and import it again.</source>
        <translation>
            <numerusform>{file}: %n problema. Nada pode ser importado até o ficheiro ser corrigido: corrija estas linhas e importe-o de novo.</numerusform>
            <numerusform>{file}: %n problemas. Nada pode ser importado até o ficheiro ser corrigido: corrija estas linhas e importe-o de novo.</numerusform>
        </translation>
    </message>
    <message>
        <source>Problems in the file</source>
        <translation>Problemas no ficheiro</translation>
    </message>
    <message>
        <source>{path} cannot be read: {error}.</source>
        <translation>Não é possível ler {path}: {error}.</translation>
    </message>
</context>
<context>
    <name>PatientList</name>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>Processo</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Nascimento</translation>
    </message>
    <message>
        <source>Name, MRN or date of birth</source>
        <translation>Nome, n.º de processo ou data de nascimento</translation>
    </message>
    <message>
        <source>Search patients</source>
        <translation>Pesquisar doentes</translation>
    </message>
    <message>
        <source>&amp;Search patients</source>
        <translation>&amp;Pesquisar doentes</translation>
    </message>
    <message>
        <source>Patients found</source>
        <translation>Doentes encontrados</translation>
    </message>
    <message>
        <source>&amp;Add patient…</source>
        <translation>&amp;Adicionar doente…</translation>
    </message>
    <message>
        <source>Add patient (Ctrl+N)</source>
        <translation>Adicionar doente (Ctrl+N)</translation>
    </message>
    <message>
        <source>Add patient</source>
        <translation>Adicionar doente</translation>
    </message>
    <message>
        <source>I&amp;mport patients…</source>
        <translation>I&amp;mportar doentes…</translation>
    </message>
    <message>
        <source>Import patients from a CSV file</source>
        <translation>Importar doentes de um ficheiro CSV</translation>
    </message>
    <message>
        <source>Add a patient</source>
        <translation>Adicionar um doente</translation>
    </message>
    <message>
        <source>Your role cannot view patients.</source>
        <translation>A sua função não permite ver doentes.</translation>
    </message>
    <message>
        <source>No patient matches.</source>
        <translation>Nenhum doente corresponde.</translation>
    </message>
    <message>
        <source>{count} found</source>
        <translation>Encontrados: {count}</translation>
    </message>
    <message>
        <source>{count}+ patients</source>
        <translation>{count}+ doentes</translation>
    </message>
    <message numerus="yes">
        <source>%n patient(s)</source>
        <translation>
            <numerusform>%n doente</numerusform>
            <numerusform>%n doentes</numerusform>
        </translation>
    </message>
    <message>
        <source>{text} ({count} imported)</source>
        <translation>{text} (importados: {count})</translation>
    </message>
    <message>
        <source>Your role cannot add patients.</source>
        <translation>A sua função não permite adicionar doentes.</translation>
    </message>
    <message>
        <source>Import patients from a CSV file (all of them, or none when a row has a problem)</source>
        <translation>Importar doentes de um ficheiro CSV (todos, ou nenhum quando uma linha tem um problema)</translation>
    </message>
</context>
<context>
    <name>PatientsPage</name>
    <message>
        <source>Find a patient: type a name, an MRN or a date of birth, then press Enter.
Ctrl+N adds a new patient.</source>
        <translation>Encontre um doente: escreva um nome, um n.º de processo ou uma data de nascimento e prima Enter.
Ctrl+N adiciona um novo doente.</translation>
    </message>
</context>
<context>
    <name>PdfPages</name>
    <message>
        <source>The report could not be read back as a PDF: {error}.</source>
        <translation>Não foi possível ler o relatório como PDF: {error}.</translation>
    </message>
</context>
<context>
    <name>PreDosePage</name>
    <message>
        <source>Pre-dose vitals</source>
        <translation>Sinais vitais pré-dose</translation>
    </message>
    <message>
        <source>&amp;Record pre-dose reading</source>
        <translation>&amp;Registar medição pré-dose</translation>
    </message>
    <message>
        <source>O&amp;verride hold…</source>
        <translation>Autori&amp;zar exceção…</translation>
    </message>
    <message>
        <source>&amp;Withhold dose…</source>
        <translation>Não administrar a dos&amp;e…</translation>
    </message>
    <message>
        <source>Recheck after {min} min rest</source>
        <translation>Repetir após {min} min de repouso</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>Suspensão</translation>
    </message>
    <message>
        <source>Pre-dose message</source>
        <translation>Mensagem pré-dose</translation>
    </message>
    <message>
        <source>Earlier pre-dose readings:</source>
        <translation>Medições pré-dose anteriores:</translation>
    </message>
    <message>
        <source>Pre-dose readings</source>
        <translation>Medições pré-dose</translation>
    </message>
    <message>
        <source>Check the patient in first (step 1).</source>
        <translation>Admita primeiro o doente (passo 1).</translation>
    </message>
    <message>
        <source>Blood pressure, pulse and SpO2 before dosing; classified under {protocol}.</source>
        <translation>Tensão arterial, pulso e SpO2 antes da dose; classificados segundo {protocol}.</translation>
    </message>
    <message>
        <source>Pre-dose vitals are closed.</source>
        <translation>Os sinais vitais pré-dose estão fechados.</translation>
    </message>
    <message>
        <source>Only a clinician may override a pre-dose hold.</source>
        <translation>Só um clínico pode autorizar uma exceção à suspensão pré-dose.</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>sem motivo indicado</translation>
    </message>
    <message>
        <source>Session {state}: {reason}</source>
        <translation>Sessão – {state}: {reason}</translation>
    </message>
    <message>
        <source>Dose on hold: {reason}</source>
        <translation>Dose suspensa: {reason}</translation>
    </message>
    <message>
        <source> (entered by {name})</source>
        <translation> (registada por {name})</translation>
    </message>
    <message>
        <source>Hold lifted: {override}{entered_by}</source>
        <translation>Suspensão levantada: {override}{entered_by}</translation>
    </message>
    <message>
        <source>Hold lifted by the recheck at {time} ({reading}), taken after {min} min rest.</source>
        <translation>Suspensão levantada pela repetição das {time} ({reading}), feita após {min} min de repouso.</translation>
    </message>
    <message>
        <source>{reason} Dosing past it needs the prescriber&apos;s name and a reason; both are stored with the session.</source>
        <translation>{reason} Administrar apesar disso exige o nome do prescritor e um motivo; ambos ficam guardados com a sessão.</translation>
    </message>
    <message>
        <source>Withhold dose</source>
        <translation>Não administrar a dose</translation>
    </message>
    <message>
        <source>Withholding the dose ends this session without ketamine. Give the reason; it is stored with the session.</source>
        <translation>Não administrar a dose termina esta sessão sem cetamina. Indique o motivo; fica guardado com a sessão.</translation>
    </message>
    <message>
        <source>&amp;Withhold dose</source>
        <translation>&amp;Não administrar a dose</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Computer&apos;s language ({name})</source>
        <translation>Idioma do computador ({name})</translation>
    </message>
    <message>
        <source>the computer&apos;s language</source>
        <translation>o idioma do computador</translation>
    </message>
    <message>
        <source>This kapdesk was started with --lang: it speaks {name} whoever signs in, until it is started without it.</source>
        <translation>Este kapdesk foi iniciado com --lang: usa {name} para quem quer que inicie sessão, até ser iniciado sem essa opção.</translation>
    </message>
    <message>
        <source>My preferences</source>
        <translation>As minhas preferências</translation>
    </message>
    <message>
        <source>{title} – DEMO</source>
        <translation>{title} – DEMONSTRAÇÃO</translation>
    </message>
    <message>
        <source>{name} ({username}): your own settings, kept with your account on every workstation.</source>
        <translation>{name} ({username}): as suas definições pessoais, guardadas com a sua conta em todos os postos de trabalho.</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <source>kapdesk speaks a new language from your next sign-in.</source>
        <translation>O kapdesk passa a usar o novo idioma a partir do seu próximo início de sessão.</translation>
    </message>
    <message>
        <source>Change &amp;password…</source>
        <translation>Alterar a &amp;palavra-passe…</translation>
    </message>
    <message>
        <source>Preferences message</source>
        <translation>Mensagem das preferências</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>A sua palavra-passe foi alterada.</translation>
    </message>
    <message>
        <source>&amp;My preferences…</source>
        <translation>As minhas &amp;preferências…</translation>
    </message>
    <message>
        <source>Your language is now {name}, from your next sign-in.</source>
        <translation>O seu idioma passa a ser {name}, a partir do seu próximo início de sessão.</translation>
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
<context>
    <name>QuickVitalsDialog</name>
    <message>
        <source>Record vitals</source>
        <translation>Registar sinais vitais</translation>
    </message>
    <message>
        <source>&amp;Record reading</source>
        <translation>&amp;Registar medição</translation>
    </message>
    <message>
        <source>vitals</source>
        <translation>sinais vitais</translation>
    </message>
    <message>
        <source>upcoming</source>
        <translation>por vir</translation>
    </message>
    <message>
        <source>due</source>
        <translation>devida</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>em atraso</translation>
    </message>
    <message>
        <source>done</source>
        <translation>feita</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>falhada</translation>
    </message>
    <message>
        <source>{who} is not checked in yet: open the session (Enter) and check the patient in first, then press V.</source>
        <translation>{who} ainda não tem admissão: abra a sessão (Enter), faça primeiro a admissão do doente e depois prima V.</translation>
    </message>
    <message>
        <source>{who}: the session is {state} and takes no more readings.</source>
        <translation>{who}: a sessão está no estado «{state}» e já não aceita medições.</translation>
    </message>
    <message>
        <source>due {time}</source>
        <translation>devida às {time}</translation>
    </message>
    <message>
        <source>due now</source>
        <translation>devida agora</translation>
    </message>
    <message>
        <source>due now, until {time}</source>
        <translation>devida agora, até às {time}</translation>
    </message>
    <message>
        <source>overdue since {time}</source>
        <translation>em atraso desde as {time}</translation>
    </message>
    <message>
        <source>an extra reading (none due)</source>
        <translation>uma medição extra (nenhuma devida)</translation>
    </message>
    <message>
        <source>Reading for {patient} · {room} · {reading}</source>
        <translation>Medição de {patient} · {room} · {reading}</translation>
    </message>
</context>
<context>
    <name>QuitQuestion</name>
    <message>
        <source>Sign in to quit kapdesk.</source>
        <translation>Inicie sessão para sair do kapdesk.</translation>
    </message>
    <message>
        <source>Quit kapdesk</source>
        <translation>Sair do kapdesk</translation>
    </message>
    <message>
        <source>Their readings and alerts are not watched while kapdesk is closed.</source>
        <translation>As medições e os alertas destes doentes não são vigiados enquanto o kapdesk estiver fechado.</translation>
    </message>
    <message>
        <source>&amp;Quit anyway</source>
        <translation>&amp;Sair mesmo assim</translation>
    </message>
    <message>
        <source>&amp;Keep kapdesk open</source>
        <translation>&amp;Manter o kapdesk aberto</translation>
    </message>
</context>
<context>
    <name>ReadingResult</name>
    <message>
        <source>Within {protocol} limits</source>
        <translation>Dentro dos limites de {protocol}</translation>
    </message>
    <message>
        <source>Classification</source>
        <translation>Classificação</translation>
    </message>
    <message>
        <source>Rule and provenance</source>
        <translation>Regra e proveniência</translation>
    </message>
    <message>
        <source>Recheck</source>
        <translation>Repetição</translation>
    </message>
    <message>
        <source>Protocol action: {action}</source>
        <translation>Ação do protocolo: {action}</translation>
    </message>
    <message>
        <source>{recheck}: at {time} (in {left}).</source>
        <translation>{recheck}: às {time} (dentro de {left}).</translation>
    </message>
    <message>
        <source>{recheck}: due now (since {time}).</source>
        <translation>{recheck}: devida agora (desde as {time}).</translation>
    </message>
    <message>
        <source> (late)</source>
        <translation> (com atraso)</translation>
    </message>
    <message>
        <source>{recheck}: taken {time}{late}.</source>
        <translation>{recheck}: feita às {time}{late}.</translation>
    </message>
    <message>
        <source>{recheck}: OVERDUE since {time}.</source>
        <translation>{recheck}: EM ATRASO desde as {time}.</translation>
    </message>
    <message>
        <source>{recheck}: missed.</source>
        <translation>{recheck}: falhada.</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>&amp;Confirm</source>
        <translation>&amp;Confirmar</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Motivo</translation>
    </message>
</context>
<context>
    <name>ReportActions</name>
    <message>
        <source>Sign in to print.</source>
        <translation>Inicie sessão para imprimir.</translation>
    </message>
    <message>
        <source>Session summary – {name} – {day}</source>
        <translation>Resumo da sessão – {name} – {day}</translation>
    </message>
    <message>
        <source>Course summary – {name} – from {day}</source>
        <translation>Resumo do ciclo – {name} – desde {day}</translation>
    </message>
    <message>
        <source>Save summary as PDF</source>
        <translation>Guardar o resumo como PDF</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Documentos PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Print summary</source>
        <translation>Imprimir resumo</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Guardar como PDF</translation>
    </message>
    <message>
        <source>The PDF could not be saved to {path}: {reason}. Choose another folder.</source>
        <translation>Não foi possível guardar o PDF em {path}: {reason}. Escolha outra pasta.</translation>
    </message>
    <message>
        <source>Saved {title} to {path}</source>
        <translation>{title} guardado em {path}</translation>
    </message>
    <message>
        <source>The printer could not be started. Check that it is connected.</source>
        <translation>Não foi possível iniciar a impressora. Verifique se está ligada.</translation>
    </message>
    <message>
        <source>The printer refused page {number}.</source>
        <translation>A impressora recusou a página {number}.</translation>
    </message>
    <message>
        <source>There is nothing to print here.</source>
        <translation>Não há nada para imprimir aqui.</translation>
    </message>
    <message>
        <source>Print summary…</source>
        <translation>Imprimir resumo…</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Guardar como PDF…</translation>
    </message>
    <message>
        <source>Your role may not print a report.</source>
        <translation>A sua função não permite imprimir relatórios.</translation>
    </message>
    <message>
        <source>{action} ({keys})</source>
        <translation>{action} ({keys})</translation>
    </message>
</context>
<context>
    <name>ReportPreviewDialog</name>
    <message>
        <source>Preview – {title}</source>
        <translation>Pré-visualização – {title}</translation>
    </message>
    <message>
        <source>Print preview</source>
        <translation>Pré-visualização da impressão</translation>
    </message>
    <message>
        <source>Page</source>
        <translation>Página</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>Página anterior</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>Página seguinte</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>&amp;Zoom</source>
        <translation>&amp;Zoom</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Reduzir</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Ampliar</translation>
    </message>
    <message>
        <source>Page {number}</source>
        <translation>Página {number}</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Páginas</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>&amp;Imprimir…</translation>
    </message>
    <message>
        <source>&amp;Save as PDF…</source>
        <translation>&amp;Guardar como PDF…</translation>
    </message>
    <message>
        <source>Print this summary ({keys})</source>
        <translation>Imprimir este resumo ({keys})</translation>
    </message>
    <message>
        <source>Save this summary as a PDF file ({keys})</source>
        <translation>Guardar este resumo num ficheiro PDF ({keys})</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>Imprimir</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Guardar como PDF</translation>
    </message>
    <message>
        <source>Page {number} of {total}</source>
        <translation>Página {number} de {total}</translation>
    </message>
    <message>
        <source>Your role may not print a report.</source>
        <translation>A sua função não permite imprimir relatórios.</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>Guardado em {path}</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <source>Reset password</source>
        <translation>Repor a palavra-passe</translation>
    </message>
    <message>
        <source>A temporary password for {name} ({username}). They must choose their own at the next sign-in; a lockout is lifted too.</source>
        <translation>Uma palavra-passe temporária para {name} ({username}). Terá de escolher a sua no próximo início de sessão; um bloqueio também é levantado.</translation>
    </message>
    <message>
        <source>&amp;Reset password</source>
        <translation>&amp;Repor a palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Temporary password</source>
        <translation>Palavra-passe &amp;temporária</translation>
    </message>
    <message>
        <source>Re&amp;peat temporary password</source>
        <translation>Re&amp;petir a palavra-passe temporária</translation>
    </message>
</context>
<context>
    <name>RestoreChooser</name>
    <message>
        <source>Back up now</source>
        <translation>Manual</translation>
    </message>
    <message>
        <source>On exit</source>
        <translation>Ao sair</translation>
    </message>
    <message>
        <source>Daily</source>
        <translation>Diária</translation>
    </message>
    <message>
        <source>Restore from a backup</source>
        <translation>Restaurar a partir de uma cópia de segurança</translation>
    </message>
    <message>
        <source>Backups in {folder} (newest first). Choose one, or another backup file.</source>
        <translation>Cópias de segurança em {folder} (as mais recentes primeiro). Escolha uma, ou outro ficheiro de cópia.</translation>
    </message>
    <message>
        <source>There are no backups in {folder} yet. Choose a backup file.</source>
        <translation>Ainda não há cópias de segurança em {folder}. Escolha um ficheiro de cópia.</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>Cópias de segurança</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>Feita em</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Tamanho</translation>
    </message>
    <message>
        <source>Other &amp;file…</source>
        <translation>Outro &amp;ficheiro…</translation>
    </message>
    <message>
        <source>&amp;Restore…</source>
        <translation>&amp;Restaurar…</translation>
    </message>
    <message>
        <source>Restore from a backup file</source>
        <translation>Restaurar a partir de um ficheiro de cópia de segurança</translation>
    </message>
    <message>
        <source>kapdesk backups (*.bak *.sqlite)</source>
        <translation>Cópias de segurança do kapdesk (*.bak *.sqlite)</translation>
    </message>
</context>
<context>
    <name>RestoreConfirm</name>
    <message>
        <source>Restore the database?</source>
        <translation>Restaurar a base de dados?</translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation>&amp;Restaurar</translation>
    </message>
    <message>
        <source>Replace everything in this database with the backup taken {taken}?</source>
        <translation>Substituir todo o conteúdo desta base de dados pela cópia de segurança feita em {taken}?</translation>
    </message>
    <message>
        <source>Replace everything in this database with the file {path}?</source>
        <translation>Substituir todo o conteúdo desta base de dados pelo ficheiro {path}?</translation>
    </message>
    <message>
        <source>Whatever was recorded after that backup will no longer be in the database. The backup is checked first; the database as it is now is kept beside it (a .replaced file), and the restore is recorded in the audit trail.</source>
        <translation>Tudo o que foi registado depois dessa cópia deixará de estar na base de dados. A cópia é verificada primeiro; a base de dados tal como está agora fica guardada junto a ela (um ficheiro .replaced), e o restauro fica no registo de auditoria.</translation>
    </message>
    <message>
        <source>Everyone is signed out afterwards and must sign in again.</source>
        <translation>Depois disso, a sessão de todos é terminada e têm de iniciar sessão novamente.</translation>
    </message>
</context>
<context>
    <name>ScheduleSessionDialog</name>
    <message>
        <source>session</source>
        <translation>a sessão</translation>
    </message>
    <message>
        <source>A dosing session on the course {protocol} v{version} (started {started}).</source>
        <translation>Uma sessão de administração do ciclo {protocol} v{version} (iniciado a {started}).</translation>
    </message>
    <message>
        <source>Schedule dosing session</source>
        <translation>Agendar sessão de administração</translation>
    </message>
    <message>
        <source>&amp;Schedule</source>
        <translation>&amp;Agendar</translation>
    </message>
    <message>
        <source>e.g. 2</source>
        <translation>p. ex. 2</translation>
    </message>
    <message>
        <source>Schedule message</source>
        <translation>Mensagem do agendamento</translation>
    </message>
    <message>
        <source>&amp;Date</source>
        <translation>&amp;Data</translation>
    </message>
    <message>
        <source>&amp;Time</source>
        <translation>&amp;Hora</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>&amp;Sala</translation>
    </message>
    <message>
        <source>Press Schedule again to book it.</source>
        <translation>Prima Agendar de novo para a marcar.</translation>
    </message>
</context>
<context>
    <name>ScreenLock</name>
    <message>
        <source>&amp;Lock screen</source>
        <translation>&amp;Bloquear ecrã</translation>
    </message>
    <message>
        <source>Hide patient data until you sign in again ({keys})</source>
        <translation>Ocultar os dados dos doentes até voltar a iniciar sessão ({keys})</translation>
    </message>
    <message>
        <source>Locked at {time}. Patient data stays hidden until you sign in.</source>
        <translation>Bloqueado às {time}. Os dados dos doentes ficam ocultos até iniciar sessão.</translation>
    </message>
    <message numerus="yes">
        <source>Locked at {time} after %n minutes without activity. Patient data stays hidden until you sign in.</source>
        <translation>
            <numerusform>Bloqueado às {time} após %n minuto sem atividade. Os dados dos doentes ficam ocultos até iniciar sessão.</numerusform>
            <numerusform>Bloqueado às {time} após %n minutos sem atividade. Os dados dos doentes ficam ocultos até iniciar sessão.</numerusform>
        </translation>
    </message>
    <message>
        <source>Sign in as someone else</source>
        <translation>Iniciar sessão como outra pessoa</translation>
    </message>
    <message>
        <source>{name} is now signed in.</source>
        <translation>{name} iniciou sessão.</translation>
    </message>
    <message>
        <source>clinic</source>
        <translation>clínica</translation>
    </message>
</context>
<context>
    <name>Section</name>
    <message numerus="yes">
        <source>The newest %n are listed.</source>
        <translation>
            <numerusform>Está listado o mais recente.</numerusform>
            <numerusform>Estão listados os %n mais recentes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerStatus</name>
    <message>
        <source>Clinic server unreachable since {time}: nothing since then is saved.</source>
        <translation>Servidor da clínica inacessível desde as {time}: nada desde então fica guardado.</translation>
    </message>
    <message>
        <source>Clinic server back at {time}.</source>
        <translation>Servidor da clínica de volta às {time}.</translation>
    </message>
    <message>
        <source>Clinic server</source>
        <translation>Servidor da clínica</translation>
    </message>
</context>
<context>
    <name>SessionHeader</name>
    <message>
        <source>BP {systolic}/{diastolic}</source>
        <translation>TA {systolic}/{diastolic}</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Doente</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>Since dose</source>
        <translation>Desde a dose</translation>
    </message>
    <message>
        <source>Next reading</source>
        <translation>Próxima medição</translation>
    </message>
    <message>
        <source>Hold or alert</source>
        <translation>Suspensão ou alerta</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>Contraindications</source>
        <translation>Contraindicações</translation>
    </message>
    <message>
        <source>  ·  weight {weight} kg</source>
        <translation>  ·  peso {weight} kg</translation>
    </message>
    <message>
        <source>  ·  second dosing session today: {reason}</source>
        <translation>  ·  segunda sessão de administração hoje: {reason}</translation>
    </message>
    <message>
        <source>⚠ Allergies: {allergies}</source>
        <translation>⚠ Alergias: {allergies}</translation>
    </message>
    <message>
        <source>No known allergies</source>
        <translation>Sem alergias conhecidas</translation>
    </message>
    <message>
        <source>⚠ Contraindications: {contraindications}</source>
        <translation>⚠ Contraindicações: {contraindications}</translation>
    </message>
    <message>
        <source>No contraindications recorded</source>
        <translation>Sem contraindicações registadas</translation>
    </message>
    <message>
        <source>{against_criteria} (at {time})</source>
        <translation>{against_criteria} (às {time})</translation>
    </message>
    <message>
        <source>Discharged at {time}</source>
        <translation>Alta às {time}</translation>
    </message>
    <message>
        <source>Dose on hold: {reason}</source>
        <translation>Dose suspensa: {reason}</translation>
    </message>
    <message>
        <source> (and {n} more: see the dose step)</source>
        <translation> (e mais {n}: ver o passo da dose)</translation>
    </message>
    <message>
        <source>Dose on hold: pre-dose BP {systolic}/{diastolic} is {band} ({protocol}) – recheck after rest or a clinician&apos;s override (step 2).</source>
        <translation>Dose suspensa: TA pré-dose {systolic}/{diastolic} classificada como {band} ({protocol}) – repetir após repouso ou autorização de exceção de um clínico (passo 2).</translation>
    </message>
    <message>
        <source>{band} at {time}: {values} ({why}, {protocol}){action}</source>
        <translation>{band} às {time}: {values} ({why}, {protocol}){action}</translation>
    </message>
    <message>
        <source>No dose yet</source>
        <translation>Ainda sem dose</translation>
    </message>
    <message>
        <source>Dose {time} · observed {duration}</source>
        <translation>Dose às {time} · observação {duration}</translation>
    </message>
    <message>
        <source>Since dose {duration}</source>
        <translation>Desde a dose: {duration}</translation>
    </message>
    <message>
        <source>{reading}: OVERDUE by {late}</source>
        <translation>{reading}: EM ATRASO há {late}</translation>
    </message>
    <message>
        <source>{reading}: due now</source>
        <translation>{reading}: devida agora</translation>
    </message>
    <message>
        <source>{reading}: due now, closes in {left}</source>
        <translation>{reading}: devida agora, fecha dentro de {left}</translation>
    </message>
    <message>
        <source>Next: {reading} in {left}</source>
        <translation>Próxima: {reading} dentro de {left}</translation>
    </message>
    <message>
        <source>Next: {reading}</source>
        <translation>Próxima: {reading}</translation>
    </message>
</context>
<context>
    <name>SessionWords</name>
    <message>
        <source>within limits</source>
        <translation>dentro dos limites</translation>
    </message>
    <message>
        <source>Sign in to {what}.</source>
        <translation>Inicie sessão para {what}.</translation>
    </message>
    <message>
        <source>An {role} cannot {what}.</source>
        <translation>Um {role} não pode {what}.</translation>
    </message>
    <message>
        <source>A {role} cannot {what}.</source>
        <translation>Um {role} não pode {what}.</translation>
    </message>
    <message>
        <source>mild</source>
        <translation>ligeiro</translation>
    </message>
    <message>
        <source>moderate</source>
        <translation>moderado</translation>
    </message>
    <message>
        <source>severe</source>
        <translation>grave</translation>
    </message>
    <message>
        <source>life-threatening</source>
        <translation>potencialmente fatal</translation>
    </message>
</context>
<context>
    <name>SessionWorkspace</name>
    <message>
        <source>Si&amp;gn session…</source>
        <translation>Ass&amp;inar sessão…</translation>
    </message>
    <message>
        <source>done</source>
        <translation>feito</translation>
    </message>
    <message>
        <source>current</source>
        <translation>atual</translation>
    </message>
    <message>
        <source>todo</source>
        <translation>por fazer</translation>
    </message>
    <message>
        <source>Dosing session</source>
        <translation>Sessão de administração</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Passos</translation>
    </message>
    <message>
        <source>The signature covers its readings, doses, side effects, observations and the session note.</source>
        <translation>A assinatura abrange as medições, as doses, os efeitos adversos, as observações e a nota da sessão.</translation>
    </message>
    <message>
        <source>Go to step {n}: {title}</source>
        <translation>Ir para o passo {n}: {title}</translation>
    </message>
    <message>
        <source>done against criteria</source>
        <translation>feito contra os critérios</translation>
    </message>
    <message>
        <source>{title}: {status} (Alt+{n})</source>
        <translation>{title}: {status} (Alt+{n})</translation>
    </message>
    <message>
        <source>Step {n}, {title}, {status}</source>
        <translation>Passo {n}, {title}, {status}</translation>
    </message>
    <message>
        <source>Could not refresh the session: {error}</source>
        <translation>Não foi possível atualizar a sessão: {error}</translation>
    </message>
    <message>
        <source>session {id} of {patient} ({mrn}) on {day}</source>
        <translation>sessão {id} de {patient} ({mrn}) de {day}</translation>
    </message>
</context>
<context>
    <name>SettingsNotice</name>
    <message>
        <source>Clinic settings</source>
        <translation>Definições da clínica</translation>
    </message>
    <message>
        <source>Some stored clinic settings are not valid.</source>
        <translation>Algumas definições guardadas da clínica não são válidas.</translation>
    </message>
    <message>
        <source>Open the clinic settings now?</source>
        <translation>Abrir agora as definições da clínica?</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Everywhere in the main window</source>
        <translation>Em toda a janela principal</translation>
    </message>
    <message>
        <source>{menu} menu</source>
        <translation>Menu {menu}</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Doentes</translation>
    </message>
    <message>
        <source>Session (the guided steps)</source>
        <translation>Sessão (os passos guiados)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Atalhos de teclado</translation>
    </message>
    <message>
        <source>In lists and forms</source>
        <translation>Em listas e formulários</translation>
    </message>
    <message>
        <source>Enter opens the selected row (a session on the Today board, a patient, a chart&apos;s session); Tab moves to the next field; Esc closes a dialog; Alt + an underlined letter presses that button or goes to that field.</source>
        <translation>Enter abre a linha selecionada (uma sessão no quadro de hoje, um doente, uma sessão da ficha); Tab passa ao campo seguinte; Esc fecha uma caixa de diálogo; Alt + uma letra sublinhada carrega nesse botão ou vai para esse campo.</translation>
    </message>
    <message>
        <source>Not opened yet, so not listed: {pages}. Their keys appear here once they have been opened.</source>
        <translation>Ainda não abertos, por isso não listados: {pages}. As suas teclas aparecem aqui depois de abertos.</translation>
    </message>
</context>
<context>
    <name>SideEffectsPage</name>
    <message>
        <source>Present</source>
        <translation>Presente</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Gravidade</translation>
    </message>
    <message>
        <source>Onset</source>
        <translation>Início</translation>
    </message>
    <message>
        <source>Intervention</source>
        <translation>Intervenção</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Resolvido</translation>
    </message>
    <message>
        <source>e.g. antiemetic</source>
        <translation>p. ex. antiemético</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>resolvido</translation>
    </message>
    <message>
        <source>{effect}: choose a severity to save it.</source>
        <translation>{effect}: escolha a gravidade para o guardar.</translation>
    </message>
    <message>
        <source>Side effects</source>
        <translation>Efeitos adversos</translation>
    </message>
    <message>
        <source>The catalogue depends on the route: record the first dose (step 3) first.</source>
        <translation>O catálogo depende da via: registe primeiro a primeira dose (passo 3).</translation>
    </message>
    <message>
        <source>record side effects</source>
        <translation>registar efeitos adversos</translation>
    </message>
    <message>
        <source>The session is {state}.</source>
        <translation>Estado da sessão: {state}.</translation>
    </message>
    <message>
        <source>{protocol} catalogue for the {route} route. Tick what is present and choose its severity; everything saves at once.</source>
        <translation>Catálogo {protocol} para a via {route_name}. Assinale o que está presente e escolha a gravidade; tudo é guardado de imediato.</translation>
    </message>
    <message>
        <source>side effect ({effect})</source>
        <translation>efeito adverso ({effect})</translation>
    </message>
    <message>
        <source>{effect} present</source>
        <translation>{effect} presente</translation>
    </message>
    <message>
        <source>{effect} severity</source>
        <translation>Gravidade de {effect}</translation>
    </message>
    <message>
        <source>{effect} onset</source>
        <translation>Início de {effect}</translation>
    </message>
    <message>
        <source>{effect} intervention</source>
        <translation>Intervenção para {effect}</translation>
    </message>
    <message>
        <source>{effect} resolved</source>
        <translation>{effect} resolvido</translation>
    </message>
    <message>
        <source>{effect} resolved at</source>
        <translation>{effect} resolvido às</translation>
    </message>
    <message>
        <source>{effect} message</source>
        <translation>Mensagem de {effect}</translation>
    </message>
    <message>
        <source>{effect} entered late</source>
        <translation>{effect} registado com atraso</translation>
    </message>
    <message>
        <source>{effect} entered in error</source>
        <translation>{effect} introduzido por erro</translation>
    </message>
</context>
<context>
    <name>SignDialog</name>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
    <message>
        <source>Addendum</source>
        <translation>Adenda</translation>
    </message>
    <message>
        <source>Sign session</source>
        <translation>Assinar sessão</translation>
    </message>
    <message>
        <source>Sign note</source>
        <translation>Assinar nota</translation>
    </message>
    <message>
        <source>Sign addendum</source>
        <translation>Assinar adenda</translation>
    </message>
    <message>
        <source>Reviewed and signed</source>
        <translation>Revisto e assinado</translation>
    </message>
    <message>
        <source>Authored and signed</source>
        <translation>Redigido e assinado</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Aprovado</translation>
    </message>
    <message>
        <source>You are signing {what}.</source>
        <translation>Está a assinar a {what}.</translation>
    </message>
    <message>
        <source>Once signed it can no longer be changed; corrections are added as addenda.</source>
        <translation>Depois de assinado, já não pode ser alterado; as correções são acrescentadas como adendas.</translation>
    </message>
    <message>
        <source>What is signed</source>
        <translation>O que é assinado</translation>
    </message>
    <message>
        <source>Signer</source>
        <translation>Signatário</translation>
    </message>
    <message>
        <source>&amp;Meaning</source>
        <translation>&amp;Significado</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>Signing message</source>
        <translation>Mensagem da assinatura</translation>
    </message>
    <message>
        <source>&amp;Sign</source>
        <translation>&amp;Assinar</translation>
    </message>
</context>
<context>
    <name>SignatureBanner</name>
    <message>
        <source>Si&amp;gn…</source>
        <translation>&amp;Assinar…</translation>
    </message>
    <message>
        <source>Signed by {name} ({role}) on {when} – {meaning}</source>
        <translation>Assinado por {name} ({role}) em {when} – {meaning}</translation>
    </message>
    <message>
        <source>Addendum by {name} ({role}), {when}:</source>
        <translation>Adenda de {name} ({role}), {when}:</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>(vazio)</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>sim</translation>
    </message>
    <message>
        <source>no</source>
        <translation>não</translation>
    </message>
    <message>
        <source>Corrected {field}: {value}</source>
        <translation>Correção de {field}: {value}</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>Assinatura</translation>
    </message>
    <message>
        <source>Signature status</source>
        <translation>Estado da assinatura</translation>
    </message>
    <message>
        <source>Add a&amp;ddendum…</source>
        <translation>Acrescentar a&amp;denda…</translation>
    </message>
    <message>
        <source>Could not read the signature: {error}</source>
        <translation>Não foi possível ler a assinatura: {error}</translation>
    </message>
    <message>
        <source>Read-only: corrections are added as addenda.</source>
        <translation>Só de leitura: as correções são acrescentadas como adendas.</translation>
    </message>
    <message>
        <source>{entity} is final but not signed.</source>
        <translation>{entity}: final, mas não assinada.</translation>
    </message>
    <message>
        <source>a clinician</source>
        <translation>um clínico</translation>
    </message>
    <message>
        <source>its author</source>
        <translation>o seu autor</translation>
    </message>
    <message>
        <source>{entity} is not signed yet; {who} signs it.</source>
        <translation>{entity} ainda não assinada; assina-a {who}.</translation>
    </message>
    <message>
        <source>Addendum {id}</source>
        <translation>Adenda {id}</translation>
    </message>
    <message>
        <source>Not signed yet.</source>
        <translation>Ainda não assinada.</translation>
    </message>
    <message>
        <source>Addendum {id} signature</source>
        <translation>Assinatura da adenda {id}</translation>
    </message>
    <message>
        <source>Sign addendum…</source>
        <translation>Assinar adenda…</translation>
    </message>
    <message>
        <source>Sign addendum {id}</source>
        <translation>Assinar adenda {id}</translation>
    </message>
    <message>
        <source>your addendum to {what}</source>
        <translation>sua adenda à {what}</translation>
    </message>
    <message>
        <source>an addendum to {what}</source>
        <translation>adenda à {what}</translation>
    </message>
</context>
<context>
    <name>StaleBanner</name>
    <message>
        <source>Alerts are not updating</source>
        <translation>Os alertas não estão a ser atualizados</translation>
    </message>
    <message>
        <source>Alerts are not updating (since {time}): the board cannot be read, so new due and alert readings are not shown. Check running sessions by hand until this is gone.</source>
        <translation>Os alertas não estão a ser atualizados (desde as {time}): o quadro não pode ser lido, por isso não aparecem novas medições devidas nem de alerta. Verifique à mão as sessões em curso até este aviso desaparecer.</translation>
    </message>
</context>
<context>
    <name>StartCourseDialog</name>
    <message>
        <source>course</source>
        <translation>o ciclo</translation>
    </message>
    <message>
        <source>Start treatment course</source>
        <translation>Iniciar ciclo de tratamento</translation>
    </message>
    <message>
        <source>Choose the clinic protocol this course follows. Its version is kept with the course, and every alert in its sessions names it.</source>
        <translation>Escolha o protocolo da clínica que este ciclo segue. A sua versão fica guardada com o ciclo, e todos os alertas das suas sessões a indicam.</translation>
    </message>
    <message>
        <source>&amp;Start course</source>
        <translation>&amp;Iniciar ciclo</translation>
    </message>
    <message>
        <source>optional, e.g. PHQ-9 below 10 by week 8</source>
        <translation>opcional, p. ex. PHQ-9 abaixo de 10 até à semana 8</translation>
    </message>
    <message>
        <source>Course message</source>
        <translation>Mensagem do ciclo</translation>
    </message>
    <message>
        <source>&amp;Protocol</source>
        <translation>&amp;Protocolo</translation>
    </message>
    <message>
        <source>Start &amp;date</source>
        <translation>&amp;Data de início</translation>
    </message>
    <message>
        <source>&amp;Goal</source>
        <translation>&amp;Objetivo</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>The demo clinic generator is not available in this build.</source>
        <translation>O gerador da clínica de demonstração não está disponível nesta versão.</translation>
    </message>
</context>
<context>
    <name>StepPage</name>
    <message>
        <source>vitals</source>
        <translation>sinais vitais</translation>
    </message>
    <message>
        <source>entered {entered} for {moment}</source>
        <translation>registado às {entered} para as {moment}</translation>
    </message>
    <message>
        <source>pulse {pulse}/min</source>
        <translation>pulso {pulse}/min</translation>
    </message>
    <message>
        <source>SpO2 {spo2} %</source>
        <translation>SpO2 {spo2} %</translation>
    </message>
</context>
<context>
    <name>StoreChoiceDialog</name>
    <message>
        <source>Where does this workstation keep the clinic&apos;s records?</source>
        <translation>Onde guarda este posto de trabalho os registos da clínica?</translation>
    </message>
    <message>
        <source>Encrypted, the server verified (verify-full): recommended</source>
        <translation>Cifrada, com o servidor verificado (verify-full): recomendado</translation>
    </message>
    <message>
        <source>Encrypted, the server NOT verified (require)</source>
        <translation>Cifrada, com o servidor NÃO verificado (require)</translation>
    </message>
    <message>
        <source>Not encrypted (disable)</source>
        <translation>Não cifrada (disable)</translation>
    </message>
    <message>
        <source>The connection is encrypted, but kapdesk cannot tell the clinic&apos;s server from an impostor on the network. Use verify-full with the clinic&apos;s CA file if you can.</source>
        <translation>A ligação é cifrada, mas o kapdesk não consegue distinguir o servidor da clínica de um impostor na rede. Se puder, use verify-full com o ficheiro da AC da clínica.</translation>
    </message>
    <message>
        <source>Without encryption, patient records and the password cross the network as plain text. Only for a server on this same computer, or a test.</source>
        <translation>Sem cifra, os registos dos doentes e a palavra-passe atravessam a rede em texto simples. Só para um servidor neste mesmo computador, ou para um teste.</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Servidor</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Porta</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Base de dados</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilizador</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Palavra-passe</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>Ficheiro da AC</translation>
    </message>
    <message>
        <source>Clinic records – kapdesk</source>
        <translation>Registos da clínica – kapdesk</translation>
    </message>
    <message>
        <source>This workstation only</source>
        <translation>Só este posto de trabalho</translation>
    </message>
    <message>
        <source>One file on this computer ({file}): a clinic with one workstation.</source>
        <translation>Um ficheiro neste computador ({file}): uma clínica com um só posto de trabalho.</translation>
    </message>
    <message>
        <source>The clinic&apos;s server</source>
        <translation>O servidor da clínica</translation>
    </message>
    <message>
        <source>A PostgreSQL server on the clinic&apos;s network, shared by every workstation (set up once by the clinic&apos;s IT with kapdesk server init).</source>
        <translation>Um servidor PostgreSQL na rede da clínica, partilhado por todos os postos de trabalho (configurado uma vez pela informática da clínica com kapdesk server init).</translation>
    </message>
    <message>
        <source>the clinic&apos;s CA certificate, e.g. clinic-ca.pem</source>
        <translation>o certificado da AC da clínica, p. ex. clinica-ac.pem</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Escolher…</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Testar ligação</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Sair</translation>
    </message>
    <message>
        <source>The clinic&apos;s CA certificate</source>
        <translation>O certificado da AC da clínica</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All (*)</source>
        <translation>Certificados (*.pem *.crt *.cer);;Todos (*)</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>A testar…</translation>
    </message>
    <message>
        <source>Connecting to {host}:{port}…</source>
        <translation>A ligar a {host}:{port}…</translation>
    </message>
    <message>
        <source>The test connection failed: {kind}: {error}</source>
        <translation>O teste de ligação falhou: {kind}: {error}</translation>
    </message>
    <message>
        <source>User or password</source>
        <translation>Utilizador ou palavra-passe</translation>
    </message>
</context>
<context>
    <name>TodayBoard</name>
    <message>
        <source>{a_role} cannot open a session: sessions and charts are for clinical staff.</source>
        <translation>{a_role} não pode abrir sessões: as sessões e as fichas dos doentes são para os profissionais clínicos.</translation>
    </message>
    <message>
        <source>{a_role} cannot record vital signs: readings are for clinical staff.</source>
        <translation>{a_role} não pode registar sinais vitais: as medições são para os profissionais clínicos.</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoje</translation>
    </message>
    <message>
        <source>Enter: open session   ·   V: record vitals</source>
        <translation>Enter: abrir sessão   ·   V: registar sinais vitais</translation>
    </message>
    <message>
        <source>Today&apos;s sessions</source>
        <translation>Sessões de hoje</translation>
    </message>
    <message>
        <source>No sessions scheduled today.</source>
        <translation>Não há sessões marcadas para hoje.</translation>
    </message>
    <message>
        <source>Board status</source>
        <translation>Estado do quadro</translation>
    </message>
    <message>
        <source>&amp;Acknowledge alert</source>
        <translation>&amp;Registar conhecimento do alerta</translation>
    </message>
    <message>
        <source>Acknowledge alert</source>
        <translation>Registar conhecimento do alerta</translation>
    </message>
    <message>
        <source>A clinician records having seen the selected session&apos;s alert reading (audited).</source>
        <translation>Um clínico regista que viu a medição de alerta da sessão selecionada (fica no registo de auditoria).</translation>
    </message>
    <message>
        <source>Record vital signs for the selected session</source>
        <translation>Registar sinais vitais da sessão selecionada</translation>
    </message>
    <message>
        <source>The board could not be refreshed: {error}</source>
        <translation>Não foi possível atualizar o quadro: {error}</translation>
    </message>
    <message>
        <source>The selected session has no alert reading to acknowledge.</source>
        <translation>A sessão selecionada não tem nenhuma medição de alerta para registar conhecimento.</translation>
    </message>
    <message>
        <source>{room} – {patient}: alert {value} acknowledged by {who} at {time}.</source>
        <translation>{room} – {patient}: conhecimento do alerta {value} registado por {who} às {time}.</translation>
    </message>
    <message>
        <source>Select a session first, then press V to record vitals.</source>
        <translation>Selecione primeiro uma sessão e depois prima V para registar sinais vitais.</translation>
    </message>
    <message>
        <source>BP {systolic}/{diastolic}</source>
        <translation>TA {systolic}/{diastolic}</translation>
    </message>
    <message>
        <source>, pulse {pulse}/min</source>
        <translation>, pulso {pulse}/min</translation>
    </message>
    <message>
        <source>, SpO2 {spo2} %</source>
        <translation>, SpO2 {spo2} %</translation>
    </message>
    <message>
        <source>{room} – {patient}: {values} at {time}: {summary}</source>
        <translation>{room} – {patient}: {values} às {time}: {summary}</translation>
    </message>
    <message>
        <source> Dosing is on hold until a clinician records an override.</source>
        <translation> A administração está suspensa até um clínico registar uma autorização de exceção.</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <source>If they are signed in now, their next entry is refused and they must sign in again.</source>
        <translation>Se tiver sessão iniciada agora, o próximo registo que fizer é recusado e terá de iniciar sessão novamente.</translation>
    </message>
    <message>
        <source>a nurse</source>
        <translation>enfermeiro</translation>
    </message>
    <message>
        <source>a therapist</source>
        <translation>terapeuta</translation>
    </message>
    <message>
        <source>a clinician</source>
        <translation>clínico</translation>
    </message>
    <message>
        <source>an admin</source>
        <translation>administrador</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>sim</translation>
    </message>
    <message>
        <source>no</source>
        <translation>não</translation>
    </message>
    <message>
        <source>{title} message</source>
        <translation>Mensagem: {title}</translation>
    </message>
    <message>
        <source>Repeat temporary password does not match; type it again.</source>
        <translation>Repetir a palavra-passe temporária não coincide; escreva-a novamente.</translation>
    </message>
    <message>
        <source>User – {name}</source>
        <translation>Utilizador – {name}</translation>
    </message>
    <message>
        <source>{name} ({username}). A new role or language applies from their next sign-in.</source>
        <translation>{name} ({username}). Uma nova função ou idioma aplica-se a partir do próximo início de sessão.</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nome de utilizador</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nome completo</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Ativo</translation>
    </message>
    <message>
        <source>Locked until</source>
        <translation>Bloqueado até</translation>
    </message>
    <message>
        <source>not locked</source>
        <translation>não bloqueado</translation>
    </message>
    <message>
        <source>Wrong passwords</source>
        <translation>Palavras-passe erradas</translation>
    </message>
    <message>
        <source>Must change password</source>
        <translation>Tem de alterar a palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Função</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Fe&amp;char</translation>
    </message>
    <message>
        <source>You cannot change your own role.</source>
        <translation>Não pode alterar a sua própria função.</translation>
    </message>
    <message>
        <source>Change the role of {name}?</source>
        <translation>Alterar a função de {name}?</translation>
    </message>
    <message>
        <source>{name} ({username}) becomes {a_role} (from {old} to {new}) at their next sign-in.</source>
        <translation>{name} ({username}) passa a ser {a_role} (de {old} para {new}) no próximo início de sessão.</translation>
    </message>
    <message>
        <source>&amp;Change role</source>
        <translation>&amp;Alterar função</translation>
    </message>
</context>
<context>
    <name>UserGuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>Guia do utilizador</translation>
    </message>
    <message>
        <source>For the {role}</source>
        <translation>Para o {role}</translation>
    </message>
    <message>
        <source>&amp;Guide</source>
        <translation>&amp;Guia</translation>
    </message>
    <message>
        <source>Guide for</source>
        <translation>Guia para</translation>
    </message>
</context>
<context>
    <name>UsersWindow</name>
    <message>
        <source>Username</source>
        <translation>Nome de utilizador</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nome completo</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Função</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Ativo</translation>
    </message>
    <message>
        <source>Locked until</source>
        <translation>Bloqueado até</translation>
    </message>
    <message>
        <source>Wrong passwords</source>
        <translation>Palavras-passe erradas</translation>
    </message>
    <message>
        <source>Must change password</source>
        <translation>Tem de alterar a palavra-passe</translation>
    </message>
    <message>
        <source>Users – DEMO</source>
        <translation>Utilizadores – DEMONSTRAÇÃO</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Utilizadores</translation>
    </message>
    <message>
        <source>Staff accounts</source>
        <translation>Contas dos profissionais</translation>
    </message>
    <message>
        <source>Users message</source>
        <translation>Mensagem dos utilizadores</translation>
    </message>
    <message>
        <source>Users status</source>
        <translation>Estado dos utilizadores</translation>
    </message>
    <message>
        <source>&amp;Add user…</source>
        <translation>&amp;Adicionar utilizador…</translation>
    </message>
    <message>
        <source>Change r&amp;ole…</source>
        <translation>Alterar &amp;função…</translation>
    </message>
    <message>
        <source>&amp;Deactivate…</source>
        <translation>&amp;Desativar…</translation>
    </message>
    <message>
        <source>&amp;Reset password…</source>
        <translation>&amp;Repor a palavra-passe…</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>Des&amp;bloquear</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Fe&amp;char</translation>
    </message>
    <message>
        <source>Close the users window</source>
        <translation>Fechar a janela dos utilizadores</translation>
    </message>
    <message>
        <source>R&amp;eactivate…</source>
        <translation>Rea&amp;tivar…</translation>
    </message>
    <message>
        <source>You cannot deactivate your own account.</source>
        <translation>Não pode desativar a sua própria conta.</translation>
    </message>
    <message>
        <source>You cannot change your own role.</source>
        <translation>Não pode alterar a sua própria função.</translation>
    </message>
    <message>
        <source>{name} ({username}) is now {a_role}.</source>
        <translation>{name} ({username}) passa a ser {a_role}.</translation>
    </message>
    <message>
        <source>{name} ({username}) works in {language} from their next sign-in.</source>
        <translation>{name} ({username}) passa a usar {language} a partir do próximo início de sessão.</translation>
    </message>
    <message>
        <source>Deactivate {name}?</source>
        <translation>Desativar {name}?</translation>
    </message>
    <message>
        <source>&amp;Deactivate</source>
        <translation>&amp;Desativar</translation>
    </message>
    <message>
        <source>{name} ({username}) can no longer sign in.</source>
        <translation>{name} ({username}) deixa de poder iniciar sessão.</translation>
    </message>
    <message>
        <source>{name} ({username}) is deactivated: they can no longer sign in.</source>
        <translation>{name} ({username}) foi desativado: deixa de poder iniciar sessão.</translation>
    </message>
    <message>
        <source>Reactivate {name}?</source>
        <translation>Reativar {name}?</translation>
    </message>
    <message>
        <source>R&amp;eactivate</source>
        <translation>&amp;Reativar</translation>
    </message>
    <message>
        <source>{name} ({username}) can sign in again, as {a_role}.</source>
        <translation>{name} ({username}) pode voltar a iniciar sessão, como {a_role}.</translation>
    </message>
    <message>
        <source>{name} ({username}) is active again and can sign in.</source>
        <translation>{name} ({username}) está novamente ativo e pode iniciar sessão.</translation>
    </message>
    <message>
        <source>{name} ({username}) was added.</source>
        <translation>{name} ({username}) foi adicionado.</translation>
    </message>
    <message>
        <source>{name} must choose a new password at the next sign-in.</source>
        <translation>{name} tem de escolher uma nova palavra-passe no próximo início de sessão.</translation>
    </message>
    <message>
        <source>{name} ({username}) is unlocked.</source>
        <translation>{name} ({username}) foi desbloqueado.</translation>
    </message>
</context>
<context>
    <name>VitalsForm</name>
    <message>
        <source>&amp;Systolic</source>
        <translation>TA &amp;sistólica</translation>
    </message>
    <message>
        <source>&amp;Diastolic</source>
        <translation>TA &amp;diastólica</translation>
    </message>
    <message>
        <source>&amp;Pulse</source>
        <translation>P&amp;ulso</translation>
    </message>
    <message>
        <source>Sp&amp;O2</source>
        <translation>Saturação de oxigénio (Sp&amp;O2)</translation>
    </message>
    <message>
        <source>{field} error</source>
        <translation>Erro em {field}</translation>
    </message>
    <message>
        <source>&amp;Record reading</source>
        <translation>&amp;Registar medição</translation>
    </message>
    <message>
        <source>{field}: whole number {range}</source>
        <translation>{field}: número inteiro {range}</translation>
    </message>
    <message>
        <source>Vitals</source>
        <translation>Sinais vitais</translation>
    </message>
</context>
<context>
    <name>WindowTitle</name>
    <message>
        <source>DEMO</source>
        <translation>DEMONSTRAÇÃO</translation>
    </message>
</context>
</TS>
